"""The validator's messages: one English template per code, translated by gettext.

A problem found (:class:`~oneitu_etl.issues.Issue`) is said with :func:`say`: a stable
code and its parameters. The English message, which the command line, the JSON and the
logs show, is the code's template filled with the parameters; the upload page and the
report's annex show the same template in their reader's language through the project's
one gettext system (:mod:`oneitu_etl.catalogue`, ``reports/locale``), with
:func:`translate`.

Where a message lives:

- the messages of the readers, the reconciliation rules and the loaders: :data:`TEMPLATES`
  below, one entry per code, marked with :func:`N_` so that ``pybabel extract`` finds them;
- the message of a declared row rule: its ``meta.message`` in ``expectations/<table>.json``
  (code ``<table>.<rule>``), and the columns' ``label``; :func:`extract_declarations` hands
  them to ``pybabel extract``.

Parameters are the pieces that are not translated (values from the file, codes, amounts
already written as ``30,798,457.73``). A piece that is translated is itself a message (a
:class:`Message`, stored as ``{"code", "params"}``) or a :class:`Label` (a msgid of its
own, stored as ``{"text"}``).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from oneitu_etl.catalogue import translations
from oneitu_etl.settings import PROJECT_ROOT

#: Where the declared rules' messages are (the project's suites).
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate yet"
    """Mark ``text`` as a msgid for ``pybabel extract``; returns it unchanged."""
    return text


#: code -> English template (``{name}`` fields). The template is the msgid.
TEMPLATES: dict[str, str] = {
    # -- the landing zone and the files' names (sources/landing.py, checkfiles.py, ingest.py)
    "lock_file": N_(
        "an Excel lock file (Excel writes it while the file is open, and removes it when "
        "the file is closed); ignored"
    ),
    "definitions_in_year_folder": N_(
        "{file} covers every year: it belongs at the root of the landing zone, not in a "
        "year's folder; ignored"
    ),
    "not_in_contract": N_("not a file of the data contract; ignored"),
    # -- the report's own warnings (marts)
    "indicator_unexplained": N_(
        "indicator {indicator} is {status} but its value has no note that explains it"
    ),
    "year_file_at_root": N_(
        "at the root of the landing zone, {name} is not read: a year's files belong in its "
        "folder ({year}/{name} for {year}); ignored"
    ),
    "unknown_file_name": N_(
        "unknown file name: expected financial_statements.xlsx, financial_performance.csv, "
        "budget_comparison.csv, expense_allocation.csv, budget_allocation.csv, "
        "budget_reconciliation.csv, expense_ledger.csv, indicator_definitions.csv, "
        "indicator_values.csv, staff.csv, membership.csv, council_document.csv or a .csv "
        "under an activities/ or narratives/ folder"
    ),
    "link_outside_landing": N_(
        "a link to a file outside the landing zone; links out of it are not followed"
    ),
    "cannot_read": N_("cannot read the file: {reason}"),
    "file_too_large": N_("the file is {size} bytes, above the limit of {limit} bytes"),
    "statements_twice": N_(
        "financial statements delivered twice: both the workbook and {files}; deliver "
        "either the workbook or the three CSVs"
    ),
    "statements_incomplete": N_(
        "incomplete financial statements: {missing} missing; the three CSVs come together "
        "(or deliver the workbook)"
    ),
    "no_statements": N_("no financial statements for {year}"),
    "no_statements_near_folder": N_(
        "no financial statements for {year}: the landing zone has no folder {year}/ but has "
        "{folders}; name it {year}/"
    ),
    "no_statements_loose_files": N_(
        "no financial statements for {year}: the landing zone has no folder {year}/; {files} "
        "at its root belong in {year}/"
    ),
    "no_statements_no_folder": N_(
        "no financial statements for {year}: the landing zone has no folder {year}/ "
        "(folders found: {folders})"
    ),
    "no_folder_found": N_("none"),
    "beside_workbook": N_(
        "{name} delivered beside the workbook; deliver it as the sheet {sheet} of "
        "{workbook}, or deliver the three CSVs"
    ),
    "no_plan_cycle": N_("no Strategic Plan cycle contains {year}; the project ships {plans}"),
    "stage2_failed": N_(
        "the loaded data fails expectation {expectation} ({rule}) of suite {suite}; re-run "
        "the ingestion"
    ),
    # -- what a file is (sources/content.py): the words inside other messages
    "what_empty": N_("an empty file"),
    "what_encrypted": N_("a password-protected (encrypted) Office file"),
    "what_xls": N_("an Excel 97-2003 workbook (.xls)"),
    "what_old_office": N_("an old Office binary file (Word or PowerPoint 97-2003?)"),
    "what_damaged_zip": N_("a damaged or truncated ZIP archive"),
    "what_docx": N_("a Word document (.docx)"),
    "what_pptx": N_("a PowerPoint presentation (.pptx)"),
    "what_odf": N_("an OpenDocument file (LibreOffice)"),
    "what_xlsx": N_("an Excel workbook"),
    "what_zip": N_("a ZIP archive that is not a workbook (it holds {names})"),
    "what_zip_empty": N_("a ZIP archive that is not a workbook (it holds nothing)"),
    "what_pdf": N_("a PDF document"),
    "what_png": N_("a PNG image"),
    "what_jpeg": N_("a JPEG image"),
    "what_gif": N_("a GIF image"),
    "what_bmp": N_("a BMP image"),
    "what_tiff": N_("a TIFF image"),
    "what_exe": N_("a Windows program"),
    "what_elf": N_("a Linux program"),
    "what_gzip": N_("a gzip archive"),
    "what_7z": N_("a 7-Zip archive"),
    "what_rar": N_("a RAR archive"),
    "what_rtf": N_("an RTF document"),
    "what_html": N_("a web page (HTML)"),
    "what_xml": N_("an XML file (Excel's XML Spreadsheet 2003?)"),
    "what_utf16": N_("text saved as {encoding} without a byte order mark"),
    "what_text": N_("a text file (a CSV?)"),
    "what_binary": N_("binary data of an unknown kind (it starts with the bytes {bytes})"),
    # -- workbooks (sources/workbook.py)
    "workbook_empty": N_("the file is empty (0 bytes); expected an Excel workbook"),
    "workbook_password": N_(
        "the workbook is protected by a password to open it (encrypted), so it cannot be "
        "read; save a copy without the password (File > Info > Protect Workbook > Encrypt "
        "with Password, clear it), or deliver the CSVs"
    ),
    "workbook_xls": N_(
        "this is an Excel 97-2003 workbook (.xls); open it in Excel and save it as "
        '"Excel Workbook (.xlsx)"'
    ),
    "workbook_old_office": N_(
        "this is an old Office binary file, not an Excel workbook; save the statements as "
        '"Excel Workbook (.xlsx)"'
    ),
    "workbook_renamed_csv": N_("a CSV file renamed .xlsx; expected an .xlsx workbook"),
    "workbook_not_xlsx": N_("{what}, not an Excel workbook; expected an .xlsx workbook"),
    "workbook_damaged": N_("damaged or truncated workbook: {reason}"),
    "workbook_too_large": N_("workbook expands to {size} bytes, above the limit of {limit}"),
    "workbook_macros": N_("workbook contains macros; save it as a plain .xlsx"),
    "workbook_links": N_("workbook has links to external workbooks; paste the values instead"),
    "workbook_no_xml": N_("{what}, not an Excel workbook (no xl/workbook.xml)"),
    "workbook_strict": N_(
        'the workbook is saved as "Strict Open XML Spreadsheet", which cannot be read; save '
        'it again as "Excel Workbook (.xlsx)"'
    ),
    "workbook_dtd": N_(
        "workbook contains XML entity declarations (a DTD), which Excel never writes; "
        'refused as a possible entity-expansion attack ("billion laughs"): save it again '
        "from Excel"
    ),
    "workbook_unreadable": N_("damaged workbook: {reason}"),
    "sheet_missing": N_('missing sheet "{sheet}"; the workbook has: {sheets}'),
    "sheet_missing_spaces": N_(
        'missing sheet "{sheet}"; the workbook has: {sheets}; sheet "{near}" has spaces '
        'around its name: rename it "{sheet}"'
    ),
    "sheet_missing_capitals": N_(
        'missing sheet "{sheet}"; the workbook has: {sheets}; sheet "{near}" has other '
        'capitals: rename it "{sheet}"'
    ),
    "no_sheet": N_("no sheet"),
    "sheet_no_header": N_("the sheet is empty or row 1 is empty; expected the header row in row 1"),
    "formula_no_value": N_(
        "formula {formula} has no computed value; open and save the workbook in Excel"
    ),
    # -- CSV files and rows (sources/files.py, sources/chunks.py)
    "csv_bom": N_(
        "the file is encoded as {encoding} (byte order mark at byte offset 0); save it as CSV UTF-8"
    ),
    "csv_utf16_no_bom": N_(
        "the file is encoded as {encoding} without a byte order mark (a NUL byte in every "
        "other position); save it as CSV UTF-8"
    ),
    "csv_binary": N_("not a text CSV file: this is {what}; save the table as CSV"),
    "csv_nul": N_("not a text CSV file: NUL byte at byte offset {offset}"),
    "csv_bad_utf8": N_("invalid UTF-8 at byte offset {offset} after a UTF-8 BOM"),
    "csv_unreadable": N_(
        "unreadable text: byte 0x{byte} at byte offset {offset} is neither UTF-8 nor "
        "Windows-1252; save the file as CSV UTF-8"
    ),
    "csv_empty": N_("the file is empty; expected a header row and data rows"),
    "csv_is_workbook": N_("this is an Excel workbook saved with a .csv name; save it as CSV"),
    "csv_not_readable": N_("not a readable CSV file: {reason}"),
    "csv_first_row_empty": N_("the first row is empty; expected the header row"),
    "csv_separator_semicolons": N_(
        "columns are separated by semicolons; the contract requires commas"
    ),
    "csv_separator_tabs": N_("columns are separated by tabs; the contract requires commas"),
    "header_multiline": N_(
        'header cell {cell} runs over several lines: an unmatched double quote (") makes '
        "the rest of the file one cell; remove it"
    ),
    "header_cell_empty": N_("header cell {cell} of row 1 is empty (merged or missing header?)"),
    "row_too_many_cells": N_(
        "the row has {cells} cells but the header has {width}: a comma inside a value (a "
        "thousands separator, a decimal comma, a comma in a text) splits it in two; remove "
        "the comma or put the value in double quotes"
    ),
    "cell_without_column": N_(
        'cell {cell} holds "{value}" but its column has no name in row 1; name the column '
        "or clear the cell"
    ),
    "cell_too_long_quote": N_(
        "the cell holds {length} characters, above the limit of {limit} (Excel's own limit "
        'for a cell); an unmatched double quote (") makes the lines after it one cell: '
        "remove it"
    ),
    "cell_too_long": N_(
        "the cell holds {length} characters, above the limit of {limit} (Excel's own limit "
        "for a cell); shorten it"
    ),
    "header_not_row_1": N_(
        "row 1 is not the header row (no {missing}): the header seems to be in row {row}; "
        "delete the rows above it, so that the header is row 1"
    ),
    "column_missing": N_('missing required column "{column}"; the columns are: {columns}'),
    "column_missing_near": N_(
        'missing required column "{column}" (found "{found}": column names are written '
        "exactly as in the contract, in lower case with underscores; rename it); the "
        "columns are: {columns}"
    ),
    "column_twice": N_('column "{column}" appears twice'),
    "column_extra": N_('extra column "{column}" is ignored'),
    "columns_extra": N_("{count} extra columns are ignored: {columns} and {more} more"),
    "file_header_only": N_("the file has only its header row; expected data rows from row 2"),
    "sheet_header_only": N_("the sheet has only its header row; expected data rows from row 2"),
    # -- cells (validate/rows.py)
    "amount_scientific": N_(
        '"{value}" is in scientific notation ({number}); format the cells as Number with 2 '
        "decimals before saving, so that the file holds the amount itself"
    ),
    "number_too_large": N_("a number this large is unlikely"),
    "amount_separators": N_(
        '"{value}" is not a number; write amounts with a decimal point and no thousands '
        "separator (e.g. 1234.56)"
    ),
    "amount_decimals": N_(
        "{value} has more than 2 decimals; amounts are CHF with at most 2 decimals"
    ),
    "amount_not_number": N_('"{value}" is not a number; expected an amount in CHF such as 1234.56'),
    "not_whole_number": N_('"{value}" is not a whole number'),
    "not_number": N_('"{value}" is not a number; use a decimal point (e.g. 67.5)'),
    "date_serial": N_(
        "{value} looks like an Excel date serial number ({date}); enter the date as YYYY-MM-DD"
    ),
    "not_date": N_('"{value}" is not a date; expected YYYY-MM-DD'),
    "not_calendar_date": N_("{value} is not a valid calendar date"),
    # -- row rules without a message of their own (validate/rows.py)
    "value_missing": N_("value is missing; {expected} is required"),
    "not_known": N_('"{value}" is not a known {noun}; expected one of {codes}'),
    "codes_count": N_("{count} codes"),
    "other_plan": N_(
        '"{value}" belongs to {plan}, not to {year_plan} (the plan of {year}); expected one '
        "of {codes}"
    ),
    "goal_code": N_(
        '"{value}" is a goal; allocate to one of its thematic priorities or to an enabler; '
        "expected one of {codes}"
    ),
    "negative_amount": N_("{value} is negative; amounts must be >= 0"),
    "below_minimum": N_("{value} is below the minimum of {minimum}"),
    "above_maximum": N_("{value} is above the maximum of {maximum}"),
    "rule_failed": N_("{rule} failed for {value}"),
    "duplicate": N_("duplicate {columns} {key}; first given at row {row}"),
    "duplicate_in": N_("duplicate {columns} {key}; first given in {place}"),
    "place_row": N_("{file} row {row}"),
    "translation_differs": N_(
        'this translation of {narrative} has {column} "{value}" but its first row ({place}) '
        'has "{first}"; the translations of a narrative share org_unit, strategic_code and kind'
    ),
    "empty_value": N_("(empty)"),
    # -- an upload refused before it is judged (delivery/sniff.py, delivery/app.py); the
    # code is ``Refused.key``, stored in ``uploads.message``
    "no_file": N_("no file was chosen."),
    "empty": N_("the file is empty."),
    "too_large": N_("the file is too large: the limit is {limit}."),
    "old_excel": N_(
        "this is an old Excel 97-2003 (.xls) file; save it as an Excel Workbook (.xlsx)."
    ),
    "damaged_zip": N_("the file looks like a workbook but is damaged or truncated."),
    "password": N_(
        "the workbook is protected by a password to open it, so it cannot be read; save a "
        "copy without the password (File > Info > Protect Workbook), or deliver the CSVs."
    ),
    "not_workbook": N_("this is {what}, not an Excel workbook (no xl/workbook.xml)."),
    "binary": N_(
        "this is {what}, not a workbook or a text CSV file; only .xlsx and .csv files are accepted."
    ),
    "encoding": N_("the text is encoded as {encoding}; save the file as CSV UTF-8."),
    "encoding_no_bom": N_(
        "the text is encoded as {encoding} without a byte order mark; save the file as CSV UTF-8."
    ),
    "unknown_table": N_(
        "the header row ({columns}) matches none of the contract's files; see the column "
        "names in the data contract."
    ),
    "ambiguous_table": N_(
        "the header row ({columns}) could belong to several contract files ({kinds}); use "
        "the contract's column names."
    ),
    "bad_year": N_("{year} is not a year this page accepts."),
    "role_denied": N_(
        "Your account ({user}, role {roles}) may view deliveries but not deliver files. "
        "Delivering needs one of the roles: {allowed}."
    ),
    "csrf": N_(
        "the form has expired or did not come from this page. Reload the page and try again."
    ),
    "not_local": N_(
        "uploads need a landing zone on a local or mounted folder; this one is {landing}."
    ),
    # -- the reconciliation rules (validate/reconcile.py)
    "r1_missing_total": N_(
        "{rule} failed: the {line} line is missing; both total lines must be present"
    ),
    "r1_revenue": N_(
        "{rule} failed: the revenue lines sum to {left} but {line} is {right} (difference "
        "{difference})"
    ),
    "r1_expense": N_(
        "{rule} failed: the expense lines sum to {left} but {line} is {right} (difference "
        "{difference})"
    ),
    "r2": N_(
        "R2 failed: the actual_chf of budget_comparison sum to {left} but TOTAL_EXPENSES is "
        "{right} (difference {difference})"
    ),
    "r2_items": N_(
        "R2 failed: the actual_chf of budget_comparison plus the reconciling items sum to "
        "{left} but TOTAL_EXPENSES is {right} (difference {difference})"
    ),
    "r3_no_budget_row": N_(
        "R3 failed for {unit}: it has allocations ({left}) but no row in budget_comparison"
    ),
    "r3_unit": N_(
        "R3 failed for {unit}: allocations sum to {left} but actual_chf is {right} "
        "(difference {difference})"
    ),
    "r3_total": N_(
        "R3 failed: all allocations sum to {left} but TOTAL_EXPENSES is {right} (difference "
        "{difference})"
    ),
    "r3_total_items": N_(
        "R3 failed: all allocations plus the reconciling items sum to {left} but "
        "TOTAL_EXPENSES is {right} (difference {difference})"
    ),
    "l1": N_(
        "L1 failed for {unit} {code}: ledger postings sum to {left} but expense_allocation "
        "gives {right} (difference {difference})"
    ),
    "l2": N_(
        "L2 failed for {code}: ledger postings sum to {left} but the statement gives {right} "
        "(difference {difference})"
    ),
    "l2_items": N_(
        "L2 failed for {code}: ledger postings plus its items sum to {left} but the statement "
        "gives {right} (difference {difference})"
    ),
    "r4_no_budget_row": N_(
        "R4 failed for {unit}: it has budget_allocation rows ({left} {which}) but no row in "
        "budget_comparison"
    ),
    "r4": N_(
        "R4 failed for {unit}: its budget_allocation rows sum to {left} but its {column} in "
        "budget_comparison is {right} (difference {difference})"
    ),
}


class Label(str):
    """A translated piece inside a message that is a msgid of its own (a column's label)."""

    __slots__ = ()


class Message(str):
    """A message as English text, with the code and parameters that translate it.

    Being a ``str``, it goes wherever a message did (an :class:`~oneitu_etl.issues.Issue`,
    a log line); the issue takes its code and parameters from it.
    """

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, template: str, params: Mapping[str, object]) -> Message:
        values = {key: str(value) for key, value in params.items()}
        text = super().__new__(cls, template.format(**values))
        text.code = code
        text.params = {key: _stored(value) for key, value in params.items()}
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (str.__str__(self), self.code, self.params)


def _rebuilt(text: str, code: str, params: dict[str, Any]) -> Message:
    """A :class:`Message` again, from its text, code and parameters (pickle, copy)."""
    message = str.__new__(Message, text)
    message.code, message.params = code, params
    return message


def _stored(value: object) -> object:
    """A parameter as stored: a nested message or label as a mapping, the rest as text."""
    if isinstance(value, Message):
        return {"code": value.code, "params": value.params}
    if isinstance(value, Label):
        return {"text": str(value)}
    return str(value)


def say(code: str, /, **params: object) -> Message:
    """The message ``code`` with its parameters (English text, translatable).

    Raises:
        KeyError: ``code`` is not one of :data:`TEMPLATES`.
    """
    return Message(code, TEMPLATES[code], params)


def declared_code(suite: str, meta: Mapping[str, Any], kind: str, column: str | None) -> str:
    """The code of a declared rule's message: ``<table>.<rule>`` (the expectation's type
    and column where the rule has no name)."""
    return f"{suite}.{meta.get('rule') or f'{kind}:{column}'}"


def say_declared(code: str, template: str, fields: Mapping[str, object]) -> Message:
    """A declared rule's message (its ``meta.message``) with the fields it names."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return Message(code, template, {k: v for k, v in fields.items() if k in names})


@lru_cache(maxsize=4)
def declared_templates(folder: Path = EXPECTATIONS_DIR) -> dict[str, str]:
    """Code -> template of every declared rule's message in ``folder``."""
    found: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for expectation in suite.get("expectations", []):
            meta = expectation.get("meta") or {}
            if "message" in meta:
                kwargs = expectation.get("kwargs") or {}
                first = (kwargs.get("column_list") or [None])[0]
                column = meta.get("column") or first or kwargs.get("column_A")
                column = column or kwargs.get("column")
                code = declared_code(suite["name"], meta, expectation["type"], column)
                found[code] = meta["message"]
    return found


def template(code: str | None) -> str | None:
    """The English template of ``code`` (``None`` for a code no longer known)."""
    if code is None:
        return None
    return TEMPLATES.get(code) or declared_templates().get(code)


def _rendered(value: object, lang: str) -> str:
    """A stored parameter in ``lang``."""
    if isinstance(value, Mapping):
        if "text" in value:
            return translations(lang).gettext(str(value["text"]))
        text = render(value.get("code"), value.get("params") or {}, lang)  # type: ignore[arg-type]
        return text if text is not None else ""
    return str(value)


def render(code: str | None, params: Mapping[str, object], lang: str) -> str | None:
    """The message ``code`` in ``lang`` (``None`` when the code is not known).

    Args:
        code: The message's code.
        params: Its parameters as stored (:class:`Message` ``.params``).
        lang: One of the six languages.
    """
    english = template(code)
    if english is None:
        return None
    values = {key: _rendered(value, lang) for key, value in params.items()}
    try:
        return translations(lang).gettext(english).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation naming a field the code lost
        return english.format(**values)


def translate(issue: Any, lang: str) -> str:
    """An issue's message in ``lang``.

    Args:
        issue: An :class:`~oneitu_etl.issues.Issue` or a mapping with ``message`` and,
            where it was stored with them, ``code`` and ``params``.
        lang: One of the six languages.

    Returns:
        The message in ``lang``; its English message when it has no code (a problem
        stored before messages had codes) or a code no longer known.
    """
    if isinstance(issue, Mapping):
        code, params, message = issue.get("code"), issue.get("params"), issue.get("message")
    else:
        code, params, message = issue.code, issue.params, issue.message
    said = render(code, params or {}, lang) if code else None
    return said if said is not None else str(message or "")


def extract_declarations(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for ``expectations/*.json``: the rules' messages and the columns'
    labels (``reports/babel.cfg``)."""
    suite = json.loads(fileobj.read().decode("utf-8"))
    for column in (suite.get("columns") or {}).values():
        if column.get("label"):
            yield 0, "gettext", column["label"], []
            noun = re.sub(r"^an? ", "", column["label"])  # "is not a known org unit"
            if noun != column["label"]:
                yield 0, "gettext", noun, []
    for expectation in suite.get("expectations", []):
        meta = expectation.get("meta") or {}
        if meta.get("message"):
            yield 0, "gettext", meta["message"], []
