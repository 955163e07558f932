"""Helpers of the report tests: the fixture, binaries they need, reading HTML tables.

``tests/fixtures/report/report_2024.json`` is a small, consistent published report with
hostile titles in it. Browser and poppler tests call :func:`require_binary`: without the
binary they skip with the reason, except on CI (``ONEITU_REQUIRE_SERVICES=1``), where they
fail instead.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from tests_support import require

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "report_2024.json"
GENERATED_ON = dt.date(2026, 11, 28)
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "report"
NBSP = "\u00a0"


def require_binary(name: str, path: str | None = None) -> str:
    """The path of an executable the test needs; skip (laptop) or fail (CI) without it.

    Args:
        name: The program, looked up on ``PATH`` (``pdftoppm``).
        path: A fixed location to use instead (``/usr/bin/chromium``).

    Returns:
        The executable's path.
    """
    found = path if path and os.access(path, os.X_OK) else (None if path else shutil.which(name))
    require(found is not None, f"{name} is not installed ({path or 'not on PATH'})")
    return found


def load_fixture() -> dict[str, Any]:
    """A fresh copy of the report fixture."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def with_long_tables(report: dict[str, Any], rows: int = 70) -> dict[str, Any]:
    """The report with many deliveries (a table the PDF lists whole, so it runs over
    pages) and as many quarantined rows (which the PDF cuts to its first ones)."""
    longer = copy.deepcopy(report)
    quarantined = longer["data_quality"]["quarantined"]
    deliveries = longer["data_quality"]["deliveries"]
    for i in range(1, rows + 1):
        deliveries.append(
            {
                **deliveries[0],
                "file": f"2024/activities/QROW-{i:03d}.csv",
                "kind": "activities",
                "sha256": f"{i:064x}",
            }
        )
        quarantined.append(
            {
                "file": "2024/activities/activities_D_2024.csv",
                "sheet": None,
                "row": 100 + i,
                "column": "org_unit",
                "value": f"QUARANTINED-{i:03d}",
                "message": "unknown org_unit: expected a code of org_units.csv",
            }
        )
    return longer


class _Tables(HTMLParser):
    """Collects the text of every ``<table>`` cell, and of elements with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, dict[str, list[list[str]]]] = {}
        self._table: str | None = None
        self._part = "body"
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = {"head": [], "body": []}
        elif tag == "thead":
            self._part = "head"
        elif tag == "tbody":
            self._part = "body"
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table][self._part].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace(NBSP, " "))


def parse_tables(html: str) -> dict[str, dict[str, list[list[str]]]]:
    """Every table of the HTML by id: ``{"head": [[...]], "body": [[...], ...]}``.

    Cell texts have their white space collapsed and no-break spaces turned into spaces.
    """
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def rows_by_label(table: dict[str, list[list[str]]]) -> dict[str, list[str]]:
    """The body rows of a parsed table, by the text of their first cell."""
    return {row[0]: row for row in table["body"] if row}
