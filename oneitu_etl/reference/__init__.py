"""Reference code lists and the Strategic Plan frameworks, shipped as package data.

The files in ``data/`` are the project's own copy of the contract's reference codes
(section 1). A new Strategic Plan cycle is a new ``strategic_framework_<first>_<last>.csv``
file: the cycle's years come from the file name, so no code changes. The same files feed
the warehouse's reference tables and the validation suites' allowed values.

The codes' names are kept apart, one file per language, English and French included:
``names_<lang>.csv`` (``list,code,name``), where ``list`` is ``org_unit``, ``sector``,
``statement_line``, ``framework_<first>_<last>`` or a code list's name. A new language is
one more such file (and its message catalogue); :meth:`Reference.name` says a code in any
language, in English where that language's file does not name it. (The contract's own
reference CSVs carry ``name_en`` and ``name_fr`` beside the codes: copying one in means
moving those two columns to ``names_en.csv`` and ``names_fr.csv``.)
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

_FRAMEWORK_FILE = re.compile(r"strategic_framework_(\d{4})_(\d{4})\.csv$")
_NAMES_FILE = re.compile(r"names_([a-z]{2})\.csv$")


@dataclass(frozen=True)
class OrgUnit:
    """An organisational unit: the GS, a Bureau or a regional office."""

    code: str
    sector: str


@dataclass(frozen=True)
class StrategicElement:
    """A goal, thematic priority or enabler of one Strategic Plan cycle."""

    plan: str
    code: str
    kind: str
    goal: str | None


@dataclass(frozen=True)
class PlanCycle:
    """One Strategic Plan cycle (e.g. ``SP2024-2027``) and its framework."""

    plan: str
    first_year: int
    last_year: int
    elements: tuple[StrategicElement, ...]

    @property
    def names_list(self) -> str:
        """The list naming the cycle's elements in ``names_<lang>.csv``: ``framework_2024_2027``."""
        return f"framework_{self.first_year}_{self.last_year}"

    def contains(self, year: int) -> bool:
        """Whether ``year`` falls within the cycle."""
        return self.first_year <= year <= self.last_year

    def codes(self, *kinds: str) -> frozenset[str]:
        """Codes of the elements of the given kinds (all kinds when none given)."""
        return frozenset(e.code for e in self.elements if not kinds or e.kind in kinds)

    @property
    def allocatable_codes(self) -> frozenset[str]:
        """Codes that expenses and activities may be attributed to (priorities, enablers)."""
        return self.codes("thematic_priority", "enabler")


@dataclass(frozen=True)
class Reference:
    """All reference data, as loaded from one data folder."""

    org_units: dict[str, OrgUnit]
    sectors: dict[str, dict[str, str]]
    statement_lines: dict[str, dict[str, str]]
    code_lists: dict[str, dict[str, dict[str, str]]]
    cycles: tuple[PlanCycle, ...]
    #: The codes' names in every language shipped, from ``names_<lang>.csv``:
    #: language -> (list, code) -> name. Lists: ``org_unit``, ``sector``,
    #: ``statement_line``, ``framework_<first>_<last>`` and the code lists' own names.
    names: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)

    def name(self, lang: str, list_name: str, code: str) -> str:
        """The name of ``code`` of a list in ``lang``; in English where ``lang`` has none,
        the code itself where English has none either."""
        given = self.names.get(lang, {}).get((list_name, code))
        return given or self.names.get("en", {}).get((list_name, code), code)

    def cycle_for(self, year: int) -> PlanCycle | None:
        """The plan cycle containing ``year``, or ``None`` if no shipped cycle does."""
        return next((c for c in self.cycles if c.contains(year)), None)

    def codes(self, list_name: str) -> frozenset[str]:
        """Allowed codes of a code list (``output_type``, ``activity_status``, ...)."""
        return frozenset(self.code_lists.get(list_name, {}))

    def line_codes(self, *line_types: str) -> frozenset[str]:
        """Statement line codes of the given types (all when none given)."""
        return frozenset(
            code
            for code, line in self.statement_lines.items()
            if not line_types or line["line_type"] in line_types
        )

    @property
    def all_strategic_codes(self) -> frozenset[str]:
        """Every strategic code of every shipped cycle."""
        return frozenset(code for cycle in self.cycles for code in cycle.codes())


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def default_data_dir() -> Path:
    """The package's own reference folder."""
    return Path(str(resources.files(__package__) / "data"))


@lru_cache(maxsize=8)
def load_reference(data_dir: Path | None = None) -> Reference:
    """Load every reference file of ``data_dir`` (the package's data by default).

    Args:
        data_dir: Folder holding the reference CSV files.

    Returns:
        The reference data, cycles sorted by first year.
    """
    folder = Path(data_dir) if data_dir else default_data_dir()
    cycles = []
    for path in sorted(folder.glob("strategic_framework_*.csv")):
        match = _FRAMEWORK_FILE.search(path.name)
        if not match:
            continue
        first, last = int(match[1]), int(match[2])
        plan = f"SP{first}-{last}"
        elements = tuple(
            StrategicElement(
                plan=plan,
                code=r["code"],
                kind=r["kind"],
                goal=r.get("goal") or None,
            )
            for r in _rows(folder, path.name)
        )
        cycles.append(PlanCycle(plan, first, last, elements))
    code_lists: dict[str, dict[str, dict[str, str]]] = {}
    for row in _rows(folder, "code_lists.csv"):
        code_lists.setdefault(row["list"], {})[row["code"]] = row
    names = {
        match[1]: {(r["list"], r["code"]): r["name"] for r in _rows(folder, path.name) if r["name"]}
        for path in sorted(folder.glob("names_*.csv"))
        if (match := _NAMES_FILE.search(path.name))
    }
    return Reference(
        names=names,
        org_units={
            r["code"]: OrgUnit(r["code"], r["sector"]) for r in _rows(folder, "org_units.csv")
        },
        sectors={r["code"]: r for r in _rows(folder, "sectors.csv")},
        statement_lines={r["line_code"]: r for r in _rows(folder, "statement_lines.csv")},
        code_lists=code_lists,
        cycles=tuple(sorted(cycles, key=lambda c: c.first_year)),
    )
