"""Problems found in a delivery, located the way a person finds them in the file.

An :class:`Issue` names the file (relative to the landing root), the sheet (workbooks
only), the row as a person counts it (the header is row 1), the column and the value,
with a message that says what is wrong and what was expected. The same object feeds
``oneitu validate``'s lines, the ``errors`` of ``report_<Y>.json``, the quarantine table
and the Airflow task log.

The message is said with :func:`oneitu_etl.issue_text.say`: a code and its parameters,
from which the English message is written and any of the six languages translated
(:func:`oneitu_etl.issue_text.translate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem in one place.

    Attributes:
        file: Path of the file relative to the landing root (or as given on the CLI).
        message: What is wrong and what was expected.
        sheet: Workbook sheet, ``None`` for a CSV.
        row: Row number as shown in a spreadsheet (header = 1), ``None`` if not a row.
        column: Column name, ``None`` if the problem is not in one column.
        value: The offending value as delivered, if any.
        severity: ``error`` blocks or quarantines; ``warning`` only informs.
        rule: Short id of the broken rule (``R3-BR``, ``amount_non_negative``...).
        code: The message's code (:data:`oneitu_etl.issue_text.TEMPLATES`, or a declared
            rule's ``<table>.<rule>``); taken from ``message`` when it was said with
            :func:`~oneitu_etl.issue_text.say`. ``None`` for a message stored without one.
        params: The message's parameters, as stored (text, or nested messages).
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    rule: str | None = None
    code: str | None = None
    params: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        said = getattr(self.message, "code", None)
        if self.code is None and said is not None:
            object.__setattr__(self, "code", said)
            object.__setattr__(self, "params", self.message.params)  # type: ignore[attr-defined]
        if type(self.message) is not str:  # the plain text goes to files, JSON and databases
            object.__setattr__(self, "message", str.__str__(self.message))

    @property
    def is_error(self) -> bool:
        """Whether the issue is an error (not a warning)."""
        return self.severity == "error"

    def place(self) -> str:
        """``FILE[:SHEET][:ROW][:COLUMN]``, leaving out the parts that do not apply."""
        parts = [self.file]
        parts += [str(p) for p in (self.sheet, self.row, self.column) if p is not None]
        return ":".join(parts)

    def line(self) -> str:
        """The line ``oneitu validate`` prints: ``PLACE: [warning: ]message``."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.place()}: {prefix}{self.message}"

    def as_error(self) -> dict[str, object]:
        """The contract's ``errors`` entry (file, sheet, row, column, message)."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_said(self) -> dict[str, object]:
        """:meth:`as_error` with the message's ``code`` and ``params``, so that the report
        says it in its language (``data_quality`` entries)."""
        return {**self.as_error(), "code": self.code, "params": self.params}


class DeliveryRejected(Exception):
    """A file that cannot be read at all; carries the issues that say why."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.line() for i in issues))
        self.issues = issues


def format_chf(amount: float) -> str:
    """An amount as finance officers write it in messages: ``30,798,457.73``."""
    return f"{amount:,.2f}"


def located(
    issue: Mapping[str, object], words: Mapping[str, str] | None = None, colon: str = ": "
) -> str:
    """An issue's message after its place inside the file, where it has one.

    Args:
        issue: ``sheet``, ``row``, ``column`` and ``message``.
        words: The words for "sheet", "row" and "column" (English by default).
        colon: What separates the place from the message (French puts a space before).
    """
    words = words or {"sheet": "sheet", "row": "row", "column": "column"}
    where = ", ".join(
        f"{words[key]} {issue[key]}" for key in ("sheet", "row", "column") if issue[key] is not None
    )
    return f"{where}{colon}{issue['message']}" if where else str(issue["message"])
