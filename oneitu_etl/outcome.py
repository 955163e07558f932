"""The outcome of building one year, as the command line and the DAG tasks report it.

A module of its own, light on imports, so that the free re-run check (``rerun``) can
answer without loading the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from oneitu_etl.issues import Issue


@dataclass
class RunResult:
    """The outcome of building one year."""

    year: int
    status: str
    report_json: Path
    published: list[Path] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when published, 1 when blocked (contract section 6)."""
        return 0 if self.status == "published" else 1
