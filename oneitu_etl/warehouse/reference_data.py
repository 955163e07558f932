"""The reference data the package ships, loaded into the warehouse's reference tables.

Sectors, units, statement lines, Strategic Plan cycles and their elements, and the names
of every reference code in every language shipped (``reference_names``, one row per list,
code and language) (:mod:`oneitu_etl.reference`), replaced whole by each ingestion under
the shared lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, insert

from oneitu_etl.warehouse import schema as s

if TYPE_CHECKING:  # what is stored: the package's reference data (oneitu_etl.reference)
    from oneitu_etl.reference import Reference


def sync_reference(engine: Engine, reference: Reference) -> None:
    """Load the reference data the package ships into the warehouse (replacing it)."""
    with engine.begin() as conn:
        for table in (
            s.reference_names,
            s.strategic_elements,
            s.plan_cycles,
            s.org_units,
            s.sectors,
            s.statement_lines,
        ):
            conn.execute(delete(table))
        conn.execute(insert(s.sectors), [{"code": c} for c in reference.sectors])
        conn.execute(
            insert(s.org_units),
            [{"code": u.code, "sector": u.sector} for u in reference.org_units.values()],
        )
        conn.execute(
            insert(s.statement_lines),
            [
                {"line_code": c, "line_type": v["line_type"]}
                for c, v in reference.statement_lines.items()
            ],
        )
        conn.execute(
            insert(s.plan_cycles),
            [
                {"plan": c.plan, "first_year": c.first_year, "last_year": c.last_year}
                for c in reference.cycles
            ],
        )
        conn.execute(
            insert(s.strategic_elements),
            [
                {"plan": e.plan, "code": e.code, "kind": e.kind, "goal": e.goal}
                for c in reference.cycles
                for e in c.elements
            ],
        )
        names = [
            {"list": list_name, "code": code, "language": lang, "name": name}
            for lang, given in sorted(reference.names.items())
            for (list_name, code), name in given.items()
        ]
        if names:
            conn.execute(insert(s.reference_names), names)
