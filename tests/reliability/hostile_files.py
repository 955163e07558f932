"""Builders of hostile and malformed deliveries, for the reliability tests.

Each builder returns bytes (or writes a file) that a careless reader would choke on or
obey: a zip bomb named ``.xlsx``, workbooks with external links, VBA or Excel 4.0 macros,
an XML entity expansion ("billion laughs"), CSVs with a NUL byte, an endless cell or
10,000 columns. The workbooks start from a valid one built from the fixture statements.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from pathlib import Path

import openpyxl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
YEAR = 2024
ACTIVITY_HEADER = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf"
)


def statements_workbook() -> bytes:
    """The fixture statements (three CSVs) as a valid ``financial_statements.xlsx``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, name in (
        ("performance", "financial_performance.csv"),
        ("budget_comparison", "budget_comparison.csv"),
        ("expense_allocation", "expense_allocation.csv"),
    ):
        rows = list(csv.reader(io.StringIO((FIXTURES / "finance" / str(YEAR) / name).read_text())))
        ws = book.create_sheet(sheet)
        ws.append(rows[0])
        for row in rows[1:]:
            ws.append(
                [float(v) if h.endswith("_chf") else v for h, v in zip(rows[0], row, strict=True)]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The workbook ``data`` with some parts replaced and others added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def _content_types(data: bytes, extra: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml").decode()
    return types.replace("</Types>", extra + "</Types>").encode()


def zip_bomb(uncompressed: int) -> bytes:
    """A zip named like a workbook whose one sheet inflates to ``uncompressed`` bytes of
    spaces (about a thousandth of that compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/workbook.xml", "<workbook/>")
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b" " * (1 << 20)
            for _ in range(uncompressed // len(block)):
                sheet.write(block)
    return out.getvalue()


def lying_zip_bomb(real: int, declared: int) -> bytes:
    """A workbook whose sheet holds ``real`` bytes but whose zip directory declares only
    ``declared``: the size check is fooled; inflating must stop at the declared size."""
    data = rezip(statements_workbook(), replace={"xl/worksheets/sheet1.xml": b" " * real})
    entry = b"xl/worksheets/sheet1.xml"
    buffer = bytearray(data)
    # central directory entry: signature PK\1\2, uncompressed size at offset 24
    for match in re.finditer(re.escape(b"PK\x01\x02"), bytes(buffer)):
        start = match.start()
        name_length = struct.unpack_from("<H", buffer, start + 28)[0]
        if bytes(buffer[start + 46 : start + 46 + name_length]) == entry:
            struct.pack_into("<I", buffer, start + 24, declared)
    # local header: signature PK\3\4, uncompressed size at offset 22
    for match in re.finditer(re.escape(b"PK\x03\x04"), bytes(buffer)):
        start = match.start()
        name_length = struct.unpack_from("<H", buffer, start + 26)[0]
        if bytes(buffer[start + 30 : start + 30 + name_length]) == entry:
            struct.pack_into("<I", buffer, start + 22, declared)
    return bytes(buffer)


def with_external_link() -> bytes:
    """A workbook linking to another workbook (``xl/externalLinks/``)."""
    data = statements_workbook()
    link = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"/></externalLink>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/externalLinkPath" Target="file:///C:/secret/budget.xlsx" '
        'TargetMode="External"/></Relationships>'
    )
    return rezip(
        data,
        add={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": rels.encode(),
        },
    )


def with_vba_macros() -> bytes:
    """``.xlsm`` content (a VBA project, the macro-enabled content type) named ``.xlsx``."""
    data = statements_workbook()
    types = _content_types(
        data, '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    ).replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return rezip(
        data,
        replace={"[Content_Types].xml": types},
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504},
    )


def with_excel4_macro_sheet() -> bytes:
    """An Excel 4.0 (XLM) macro sheet: macros without any VBA project."""
    data = statements_workbook()
    sheet = (
        '<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData><row r="1">'
        '<c r="A1"><f>EXEC("calc.exe")</f></c></row></sheetData></xm:macrosheet>'
    )
    types = _content_types(
        data,
        '<Override PartName="/xl/macrosheets/sheet1.xml" '
        'ContentType="application/vnd.ms-excel.macrosheet+xml"/>',
    )
    return rezip(
        data,
        replace={"[Content_Types].xml": types},
        add={"xl/macrosheets/sheet1.xml": sheet.encode()},
    )


def billion_laughs(part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A workbook whose ``part`` declares nested entities (10^9 "lol"s if expanded)."""
    data = statements_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        xml = source.read(part).decode()
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    root = re.search(r"<(\w+)[\s>]", xml.split("?>", 1)[-1]).group(1)
    doctype = f"<!DOCTYPE {root} [{''.join(entities)}]>"
    body = xml.split("?>", 1)[-1] if xml.startswith("<?xml") else xml
    # the first cell of row 1 becomes the expansion
    body = re.sub(r"<is><t>[^<]*</t></is>", "<is><t>&lol9;</t></is>", body, count=1)
    body = re.sub(r"<v>[^<]*</v>", "<v>&lol9;</v>", body, count=1) if "&lol9;" not in body else body
    return rezip(data, replace={part: (doctype + body).encode()})


def activities_csv(*rows: str) -> bytes:
    """An activity file: the header and the given CSV lines."""
    return ("\n".join([ACTIVITY_HEADER, *rows]) + "\n").encode()


GOOD_ROW = "X-001,BDT,,TP-INC,workshop,{title},2024-03-04,,completed,10,5,3,100.00"


def nul_byte_csv() -> bytes:
    return activities_csv(
        GOOD_ROW.format(title="before"), "X-002,BDT,,TP-INC,workshop,a\0b,2024-03-04,,completed,,,,"
    )


def long_cell_csv(length: int) -> bytes:
    return activities_csv(GOOD_ROW.format(title="x" * length))


def wide_csv(columns: int) -> bytes:
    extra = [f"extra_{i}" for i in range(columns - 13)]
    header = ACTIVITY_HEADER + "," + ",".join(extra)
    row = GOOD_ROW.format(title="wide") + "," * len(extra)
    return (header + "\n" + row + "\n").encode()


def sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (a hole), starting like a CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(ACTIVITY_HEADER.encode() + b"\n")
        handle.truncate(size)
    return path
