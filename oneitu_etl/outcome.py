"""The outcome of building one year, as the command line and the DAG tasks report it.

A module of its own, light on imports, so that the free re-run check (``rerun``) can
answer without loading the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from oneitu_etl.issues import Issue


def html_name(year: int, lang: str) -> str:
    """File name of the HTML report (contract section 5)."""
    return f"strategic_plan_report_{year}_{lang}.html"


def pdf_name(year: int, lang: str) -> str:
    """File name of the PDF report (contract section 5)."""
    return f"strategic_plan_report_{year}_{lang}.pdf"


def workbook_name(year: int, lang: str = "en") -> str:
    """File name of the annex workbook (contract section 5): ``annex_<Y>.xlsx`` in English,
    ``annex_<Y>_<lang>.xlsx`` in each other language."""
    return f"annex_{year}.xlsx" if lang == "en" else f"annex_{year}_{lang}.xlsx"


def output_names(year: int, lang: str, *, pdf: bool) -> list[str]:
    """The files of one language of the report, in the order they are written."""
    return [
        html_name(year, lang),
        *([pdf_name(year, lang)] if pdf else []),
        workbook_name(year, lang),
    ]


@dataclass
class RunResult:
    """The outcome of building one year."""

    year: int
    status: str
    report_json: Path
    published: list[Path] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    #: What the report set aside, told again by a run that found nothing new to do
    #: (:func:`set_aside_lines`); a run that reads the files logs it as it goes.
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when published, 1 when blocked (contract section 6)."""
        return 0 if self.status == "published" else 1


def set_aside_lines(data: dict) -> list[str]:
    """What a published report set aside, one line each, as ``oneitu validate`` writes them.

    Rejected files, quarantined rows and warnings of ``data_quality`` (contract section 5,
    v2), so that ``oneitu status`` and a re-run tell them as the first run did.
    """
    dq = data.get("data_quality") or {}
    lines = [f"{r['file']}: rejected: {r['message']}" for r in dq.get("rejected_files") or []]
    for entry in dq.get("quarantined") or []:
        issue = Issue(
            entry["file"],
            entry["message"],
            entry.get("sheet"),
            entry.get("row"),
            entry.get("column"),
        )
        lines.append(f"{issue.place()}: quarantined: {issue.message}")
    for entry in dq.get("warnings") or []:
        issue = Issue(
            entry["file"],
            entry["message"],
            entry.get("sheet"),
            entry.get("row"),
            entry.get("column"),
            severity="warning",
        )
        lines.append(issue.line())
    return lines
