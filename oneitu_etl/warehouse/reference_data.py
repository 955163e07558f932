"""The reference data the package ships, loaded into the warehouse's reference tables.

Sectors, units, statement lines, Strategic Plan cycles and their elements
(:mod:`oneitu_etl.reference`), replaced whole by each ingestion under the shared lock.
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
            s.strategic_elements,
            s.plan_cycles,
            s.org_units,
            s.sectors,
            s.statement_lines,
        ):
            conn.execute(delete(table))
        conn.execute(
            insert(s.sectors),
            [
                {"code": c, "name_en": v["name_en"], "name_fr": v["name_fr"]}
                for c, v in reference.sectors.items()
            ],
        )
        conn.execute(
            insert(s.org_units),
            [
                {"code": u.code, "name_en": u.name_en, "name_fr": u.name_fr, "sector": u.sector}
                for u in reference.org_units.values()
            ],
        )
        conn.execute(
            insert(s.statement_lines),
            [
                {
                    "line_code": c,
                    "line_type": v["line_type"],
                    "name_en": v["name_en"],
                    "name_fr": v["name_fr"],
                }
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
                {
                    "plan": e.plan,
                    "code": e.code,
                    "kind": e.kind,
                    "goal": e.goal,
                    "name_en": e.name_en,
                    "name_fr": e.name_fr,
                }
                for c in reference.cycles
                for e in c.elements
            ],
        )
