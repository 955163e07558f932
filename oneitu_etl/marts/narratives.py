"""The units' narratives (contract v2, section 3.4): how many of each kind, where.

``narratives`` counts, per strategic code (or per unit, for the narratives without a
code: the usual place of a ``variance``), the distinct narratives (``narrative_id``,
whatever the number of their translations) of each kind that were loaded. The texts
themselves are read by :func:`narrative_texts`, for the renderers, and
:func:`elements_without_narratives` lists what the data quality annex must name.
"""

from __future__ import annotations

from sqlalchemy import Connection, distinct, func, select

from oneitu_etl.marts.base import bytewise, current, plan_of
from oneitu_etl.warehouse import schema as s

#: Narrative kinds in the contract's order (1.4).
KINDS = ("highlight", "achievement", "challenge", "next_step", "variance")


def narratives(conn: Connection, year: int) -> dict[str, dict[str, int]] | None:
    """``{strategic code or unit: {kind: narratives}}``; ``None`` where none were loaded.

    Keys in code-point order, kinds in the contract's order (only those present).
    """
    t = s.narratives
    where = func.coalesce(t.c.strategic_code, t.c.org_unit)
    query = (
        current(t, year)
        .with_only_columns(where, t.c.kind, func.count(distinct(t.c.narrative_id)))
        .group_by(where, t.c.kind)
        .order_by(bytewise(where), bytewise(t.c.kind))
    )
    rows = conn.execute(query).all()
    if not rows:
        return None
    out: dict[str, dict[str, int]] = {}
    for key, kind, count in rows:
        out.setdefault(key, {})[kind] = int(count)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return {
        key: dict(sorted(kinds.items(), key=lambda kv: (order.get(kv[0], len(KINDS)), kv[0])))
        for key, kinds in out.items()
    }


def narrative_texts(conn: Connection, year: int) -> list[dict[str, object]]:
    """Every loaded narrative row (one per translation), in file then row order.

    For the renderers: a narrative is shown in the report's language where a translation
    exists, else in the language of its first loaded row, with that language marked.
    """
    t, d = s.narratives, s.deliveries
    query = (
        current(t, year)
        .with_only_columns(
            t.c.narrative_id, t.c.org_unit, t.c.strategic_code, t.c.kind, t.c.language,
            t.c.text, t.c.reference,
        )
        .order_by(bytewise(d.c.path), t.c.row_number)
    )  # fmt: skip
    return [dict(row._mapping) for row in conn.execute(query)]


def narrative_list(conn: Connection, year: int) -> list[dict[str, object]]:
    """The loaded narratives, one entry per ``narrative_id`` with its translations.

    Each entry: ``narrative_id``, ``org_unit``, ``strategic_code`` (``None`` for the unit
    as a whole), ``kind``, ``language`` (that of its first loaded row, the original),
    ``reference`` (a list) and ``texts`` (``{language: text}``, the original first), in
    the order their first rows were loaded (files in name order, rows in file order).
    """
    out: dict[str, dict[str, object]] = {}
    for row in narrative_texts(conn, year):
        entry = out.setdefault(
            str(row["narrative_id"]),
            {
                "narrative_id": row["narrative_id"],
                "org_unit": row["org_unit"],
                "strategic_code": row["strategic_code"],
                "kind": row["kind"],
                "language": row["language"],
                "reference": [],
                "texts": {},
            },
        )
        entry["texts"].setdefault(row["language"], row["text"])  # type: ignore[union-attr]
        for ref in str(row["reference"] or "").split(";"):
            if ref.strip() and ref.strip() not in entry["reference"]:  # type: ignore[operator]
                entry["reference"].append(ref.strip())  # type: ignore[union-attr]
    return list(out.values())


def elements_without_narratives(conn: Connection, year: int) -> list[str]:
    """Thematic priorities and enablers of the year's plan with neither an ``achievement``
    nor a ``challenge`` loaded (contract 3.4: the data quality annex lists them).

    In code-point order; every element of the plan when no narrative was delivered.
    """
    t, e = s.narratives, s.strategic_elements
    told = (
        current(t, year)
        .where(t.c.kind.in_(("achievement", "challenge")), t.c.strategic_code.is_not(None))
        .with_only_columns(t.c.strategic_code)
        .subquery()
    )
    query = (
        select(e.c.code)
        .outerjoin(told, told.c.strategic_code == e.c.code)
        .where(
            e.c.plan == plan_of(conn, year),
            e.c.kind.in_(("thematic_priority", "enabler")),
            told.c.strategic_code.is_(None),
        )
        .order_by(bytewise(e.c.code))
    )
    return list(conn.execute(query).scalars())
