"""What an uploaded file is, judged by its content, and where in the landing zone it goes.

The browser's file name is never trusted: a workbook is recognised by its zip container
holding ``xl/workbook.xml``, a CSV by being text in an accepted encoding, and the CSV's
contract table by its header row. The landing path is then built from the detected kind
and the chosen year only (contract section 2), so no part of it comes from the browser.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Literal

from oneitu_etl.contract import TABLES, WORKBOOK_NAME, Kind
from oneitu_etl.issue_text import say
from oneitu_etl.issues import DeliveryRejected
from oneitu_etl.sources import content
from oneitu_etl.sources.files import detect_encoding
from oneitu_etl.sources.landing import DEFINITIONS

FileType = Literal["xlsx", "csv"]

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and other Office binaries)
_TEXT_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Share of control characters above which "text" is really binary.
_MAX_CONTROL_SHARE = 0.01
_SAFE_PART = re.compile(r"[^A-Za-z0-9-]")
#: Least likeness between a CSV header and a contract table to call it that table.
_MIN_LIKENESS = 0.25


@dataclass
class Refused(Exception):
    """The upload is refused before validation; ``key`` names the message to show.

    Attributes:
        key: Message code in :data:`oneitu_etl.issue_text.TEMPLATES` (``binary``...).
        params: Values the message quotes.
        status: HTTP status of the answer.
    """

    key: str
    params: dict[str, object] = field(default_factory=dict)
    status: int = 415

    def __str__(self) -> str:
        return f"{self.key} {self.params}"


def file_type(data: bytes) -> FileType:
    """Whether ``data`` is an .xlsx workbook or a text CSV, by content alone.

    Raises:
        Refused: empty, an old .xls, another zip, a damaged zip, a binary file, or text
            in an encoding the contract does not accept.
    """
    if not data.strip():
        raise Refused("empty")
    if data.startswith(_OLE2):
        raise Refused("password" if content.ole2_kind(data) == "password" else "old_excel")
    if data.startswith(_ZIP):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            raise Refused("damaged_zip") from None
        if "xl/workbook.xml" not in names:
            raise Refused("not_workbook", {"what": content.describe(data)})
        return "xlsx"
    for magic, what in content.MAGIC:
        if data.startswith(magic):
            raise Refused("binary", {"what": say(what)})
    for bom, name in _TEXT_BOMS:
        if data.startswith(bom):
            raise Refused("encoding", {"encoding": name})
    if encoding := content.utf16_without_bom(data):
        raise Refused("encoding_no_bom", {"encoding": encoding})
    if b"\x00" in data:
        raise Refused("binary", {"what": content.describe(data)})
    try:
        text, _ = detect_encoding(data, "upload")
    except DeliveryRejected:
        raise Refused("binary", {"what": content.describe(data)}) from None
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > _MAX_CONTROL_SHARE * max(len(sample), 1):
        raise Refused("binary", {"what": content.describe(data)})
    return "csv"


def csv_header(data: bytes) -> list[str]:
    """The header row of a CSV, stripped (empty when it cannot be read)."""
    try:
        text, _ = detect_encoding(data, "upload")
    except DeliveryRejected:
        return []
    first = next(csv.reader(io.StringIO(text[:65536], newline="")), [])
    return [h.strip() for h in first]


def _csv_kinds() -> list[Kind]:
    folders = (Kind.ACTIVITIES, Kind.NARRATIVES)  # files of any name, under their folder
    return [k for k, spec in TABLES.items() if spec.csv_name or k in folders]


def detect_kind(data: bytes, kind_of_file: FileType) -> str:
    """The contract kind of an upload: the workbook, or the CSV table its header matches.

    A CSV's kind is the contract table whose columns are most like the header's (names
    compared without case; likeness is shared names over all names of the two, so extra
    or missing columns count against a table). It must reach a quarter and beat every
    other table, so a file missing a column or two is still recognised (the validator
    then names the missing columns).

    Returns:
        ``financial_statements`` or a :class:`~oneitu_etl.contract.Kind` value.

    Raises:
        Refused: the header matches no contract table, or two equally.
    """
    if kind_of_file == "xlsx":
        return "financial_statements"
    header = {h.lower() for h in csv_header(data) if h}
    scores = sorted(
        (
            (
                len(header & set(TABLES[k].column_names))
                / len(header | set(TABLES[k].column_names)),
                k.value,
            )
            for k in _csv_kinds()
        ),
        reverse=True,
    )
    (best, kind), (second, other) = scores[0], scores[1]
    shown = ", ".join(sorted(header))[:300] or "-"
    if best < _MIN_LIKENESS:
        raise Refused("unknown_table", {"columns": shown}, status=422)
    if best == second:
        raise Refused(
            "ambiguous_table", {"columns": shown, "kinds": f"{kind}, {other}"}, status=422
        )
    return kind


def activity_stem(data: bytes, unit_sectors: dict[str, str]) -> str:
    """The generated name of an activities CSV, from the lead units it names.

    One known unit gives its code (``BR``); several give their sectors (``D``,
    ``R-T``), so the same unit or units always map to the same file and a corrected
    file replaces the earlier one. Only reference codes reach the name.

    Args:
        data: The CSV's bytes.
        unit_sectors: Org unit code -> sector code (reference data).
    """
    try:
        text, _ = detect_encoding(data, "upload")
    except DeliveryRejected:
        return "unassigned"
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(rows, [])]
    if "org_unit" not in header:
        return "unassigned"
    col = header.index("org_unit")
    units = sorted(
        {r[col].strip() for r in rows if len(r) > col and r[col].strip() in unit_sectors}
    )
    if len(units) == 1:
        return _SAFE_PART.sub("", units[0])
    sectors = sorted({_SAFE_PART.sub("", unit_sectors[u]) for u in units})
    return "-".join(sectors) or "unassigned"


def landing_path(kind: str, year: int, *, activity_stem: str = "unassigned") -> str:
    """Where a file of ``kind`` for ``year`` lives, relative to the landing root.

    Args:
        kind: ``financial_statements`` or a contract kind.
        year: Financial year (ignored for indicator definitions, which serve all years).
        activity_stem: For activities and (v2) narratives, the generated name (see
            :func:`activity_stem`).
    """
    if kind == "financial_statements":
        return f"{int(year)}/{WORKBOOK_NAME}"
    spec = TABLES[Kind(kind)]
    if spec.kind is Kind.INDICATOR_DEFINITIONS:
        return DEFINITIONS
    if spec.kind is Kind.ACTIVITIES:
        stem = _SAFE_PART.sub("", activity_stem) or "unassigned"
        return f"{int(year)}/activities/activities_{stem}.csv"
    if spec.kind is Kind.NARRATIVES:  # (v2) named after the unit, as activities are
        stem = _SAFE_PART.sub("", activity_stem) or "unassigned"
        return f"{int(year)}/narratives/narratives_{stem}.csv"
    assert spec.csv_name is not None
    return f"{int(year)}/{spec.csv_name}"
