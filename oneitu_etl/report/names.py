"""Names of reference codes in one language, as the report shows them.

The report prints names, never bare codes: organisational units, sectors, statement
lines, strategic elements, output types. They come from the reference data the
project ships (``oneitu_etl.reference``), in the six languages; this module turns
that into plain look-ups for one language and one Strategic Plan cycle. A code the
reference does not know is shown as the code itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from oneitu_etl.reference import Reference, load_reference
from oneitu_etl.settings import LANGUAGES


@dataclass(frozen=True)
class Element:
    """A goal, thematic priority or enabler of the report's Strategic Plan cycle."""

    code: str
    kind: str
    goal: str | None
    name: str


@dataclass(frozen=True)
class Names:
    """Reference names in one language, in the order the reference files list them.

    Attributes:
        lang: One of :data:`LANGUAGES`.
        org_units: Unit code to (name, sector code), GS first, then Bureaux, regional offices.
        sectors: Sector code to name.
        lines: Statement line code to (name, line type).
        elements: The plan's strategic elements, goals first as listed in the framework.
        code_lists: List name (``output_type``...) to code to name.
    """

    lang: str
    org_units: dict[str, tuple[str, str]]
    sectors: dict[str, str]
    lines: dict[str, tuple[str, str]]
    elements: tuple[Element, ...]
    code_lists: dict[str, dict[str, str]]

    def unit(self, code: str) -> str:
        """Name of an organisational unit."""
        return self.org_units.get(code, (code, ""))[0]

    def unit_sector(self, code: str) -> str:
        """Sector code of an organisational unit (empty when unknown)."""
        return self.org_units.get(code, (code, ""))[1]

    def sector(self, code: str) -> str:
        """Name of a sector."""
        return self.sectors.get(code, code)

    def line(self, code: str) -> str:
        """Name of a statement line."""
        return self.lines.get(code, (code, ""))[0]

    def element(self, code: str) -> str:
        """Name of a strategic element of the report's plan."""
        return next((e.name for e in self.elements if e.code == code), code)

    def elements_of_kind(self, kind: str) -> tuple[Element, ...]:
        """The plan's elements of one kind, in reference order."""
        return tuple(e for e in self.elements if e.kind == kind)

    def code_name(self, list_name: str, code: str) -> str:
        """Name of a code of a code list (output types, activity statuses...)."""
        return self.code_lists.get(list_name, {}).get(code, code)


def names_for(lang: str, plan: str, reference: Reference | None = None) -> Names:
    """Reference names in ``lang`` for the Strategic Plan cycle ``plan``.

    Every language's names come from its ``names_<lang>.csv`` in the reference data,
    English and French included; a name not given there is shown in English
    (:meth:`Reference.name`, docs/translations.md).

    Args:
        lang: One of :data:`LANGUAGES`.
        plan: The cycle, as in ``report["plan"]`` (``SP2024-2027``); an unknown cycle
            gives no strategic elements (codes are then shown as they are).
        reference: Reference data; the package's own by default.

    Returns:
        The look-ups for that language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported report language {lang!r}: expected one of {LANGUAGES}")
    ref = reference or load_reference()
    name = functools.partial(ref.name, lang)  # name(list, code)

    cycle = next((c for c in ref.cycles if c.plan == plan), None)
    elements = (
        tuple(
            Element(e.code, e.kind, e.goal, name(cycle.names_list, e.code)) for e in cycle.elements
        )
        if cycle
        else ()
    )
    return Names(
        lang=lang,
        org_units={code: (name("org_unit", code), u.sector) for code, u in ref.org_units.items()},
        sectors={code: name("sector", code) for code in ref.sectors},
        lines={
            code: (name("statement_line", code), row["line_type"])
            for code, row in ref.statement_lines.items()
        },
        elements=elements,
        code_lists={
            list_name: {code: name(list_name, code) for code in codes}
            for list_name, codes in ref.code_lists.items()
        },
    )
