"""What a delivered file's bytes look like, to tell a person what they sent instead.

A workbook saved in another format, a PDF renamed ``.xlsx``, a CSV saved as UTF-16
without its byte order mark: each is refused, and the message says what the file is and
what to do, never "binary content" alone. Used by the readers (:mod:`.files`) and the
upload page's first look (:mod:`oneitu_etl.delivery.sniff`).
"""

from __future__ import annotations

import io
import zipfile

from oneitu_etl.issue_text import Message, say

#: An OLE2 compound file: Excel 97-2003 (.xls), or any Office file encrypted with a password.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
#: Signatures of common formats, to name what was sent instead of a workbook or a CSV
#: (with the code of the words that name it, :data:`oneitu_etl.issue_text.TEMPLATES`).
MAGIC = (
    (b"%PDF-", "what_pdf"),
    (b"\x89PNG", "what_png"),
    (b"\xff\xd8\xff", "what_jpeg"),
    (b"GIF8", "what_gif"),
    (b"BM", "what_bmp"),
    (b"II*\x00", "what_tiff"),
    (b"MM\x00*", "what_tiff"),
    (b"MZ", "what_exe"),
    (b"\x7fELF", "what_elf"),
    (b"\x1f\x8b", "what_gzip"),
    (b"7z\xbc\xaf", "what_7z"),
    (b"Rar!", "what_rar"),
    (b"{\\rtf", "what_rtf"),
)
#: Parts that name the Office application of a zip container.
_OFFICE_PARTS = (
    ("word/document.xml", "what_docx"),
    ("ppt/presentation.xml", "what_pptx"),
    ("content.xml", "what_odf"),
)
#: Bytes that text never holds (tab, line feed, carriage return and form feed excepted).
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def ole2_kind(data: bytes) -> str:
    """What an OLE2 compound file holds: a password-protected Office file, or an old .xls.

    Its directory names its streams in UTF-16: ``EncryptedPackage`` is Office's
    encryption (a workbook saved with a password to open), ``Workbook`` or ``Book`` an
    Excel 97-2003 workbook.
    """
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "password"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "other"


def is_strict_workbook(data: bytes) -> bool:
    """Whether an xlsx is saved as "Strict Open XML Spreadsheet" (openpyxl reads no sheet)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            head = archive.open("xl/workbook.xml").read(4096)
    except (KeyError, zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError):
        return False
    return _STRICT_NAMESPACE in head


def utf16_without_bom(data: bytes) -> str | None:
    """``UTF-16LE`` or ``UTF-16BE`` when text looks saved so, without a byte order mark.

    Latin text in UTF-16 has a NUL byte in every other position: at the odd offsets
    (little-endian, what Windows writes) or at the even ones (big-endian).
    """
    sample = data[:512]
    if len(sample) < 4:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "UTF-16LE"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "UTF-16BE"
    return None


def describe(data: bytes) -> Message:
    """What ``data`` looks like, for a message: "a PDF document", "a Word document"...

    Returns:
        A phrase beginning with an article; for bytes of no known kind, their first
        bytes in hexadecimal, so that a person can look them up.
    """
    if not data:
        return say("what_empty")
    if data.startswith(OLE2):
        kind = ole2_kind(data)
        if kind == "password":
            return say("what_encrypted")
        if kind == "xls":
            return say("what_xls")
        return say("what_old_office")
    if data.startswith(ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            return say("what_damaged_zip")
        for part, what in _OFFICE_PARTS:
            if part in names:
                return say(what)
        if "xl/workbook.xml" in names:
            return say("what_xlsx")
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        return say("what_zip", names=shown) if shown else say("what_zip_empty")
    for magic, what in MAGIC:
        if data.startswith(magic):
            return say(what)
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return say("what_html")
    if head.startswith(b"<?xml"):
        return say("what_xml")
    if encoding := utf16_without_bom(data):
        return say("what_utf16", encoding=encoding)
    sample = data[:4096]
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    if controls <= 0.01 * len(sample) and b"," in sample:
        return say("what_text")
    first = " ".join(f"{b:02X}" for b in data[:8])
    return say("what_binary", bytes=first)
