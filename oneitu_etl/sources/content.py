"""What a delivered file's bytes look like, to tell a person what they sent instead.

A workbook saved in another format, a PDF renamed ``.xlsx``, a CSV saved as UTF-16
without its byte order mark: each is refused, and the message says what the file is and
what to do, never "binary content" alone. Used by the readers (:mod:`.files`) and the
upload page's first look (:mod:`oneitu_etl.delivery.sniff`).
"""

from __future__ import annotations

import io
import zipfile

#: An OLE2 compound file: Excel 97-2003 (.xls), or any Office file encrypted with a password.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
#: Signatures of common formats, to name what was sent instead of a workbook or a CSV.
MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
)
#: Parts that name the Office application of a zip container.
_OFFICE_PARTS = (
    ("word/document.xml", "a Word document (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file (LibreOffice)"),
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


def describe(data: bytes) -> str:
    """What ``data`` looks like, for a message: "a PDF document", "a Word document"...

    Returns:
        A phrase beginning with an article; for bytes of no known kind, their first
        bytes in hexadecimal, so that a person can look them up.
    """
    if not data:
        return "an empty file"
    if data.startswith(OLE2):
        kind = ole2_kind(data)
        if kind == "password":
            return "a password-protected (encrypted) Office file"
        if kind == "xls":
            return "an Excel 97-2003 workbook (.xls)"
        return "an old Office binary file (Word or PowerPoint 97-2003?)"
    if data.startswith(ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            return "a damaged or truncated ZIP archive"
        for part, what in _OFFICE_PARTS:
            if part in names:
                return what
        if "xl/workbook.xml" in names:
            return "an Excel workbook"
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        return f"a ZIP archive that is not a workbook (it holds {shown or 'nothing'})"
    for magic, what in MAGIC:
        if data.startswith(magic):
            return what
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    if head.startswith(b"<?xml"):
        return "an XML file (Excel's XML Spreadsheet 2003?)"
    if encoding := utf16_without_bom(data):
        return f"text saved as {encoding} without a byte order mark"
    sample = data[:4096]
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    if controls <= 0.01 * len(sample) and b"," in sample:
        return "a text file (a CSV?)"
    first = " ".join(f"{b:02X}" for b in data[:8])
    return f"binary data of an unknown kind (it starts with the bytes {first})"
