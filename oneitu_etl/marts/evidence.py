"""The enablers' evidence and the Council document (contract v2, sections 3.5 and 3.6).

``staff``: headcount, the share of women (overall, and in categories P, D and elected),
the share of the regional offices, and the professional and higher categories by region
of nationality; ``membership``: the loaded rows, by sector and category; ``document``:
the Council document's number (the report is a draft without one) and its other fields.
Each figure is one grouped SQL query over current data; Python only shapes the JSON.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, case, func, literal

from oneitu_etl.marts.base import bytewise, current
from oneitu_etl.warehouse import schema as s

#: Staff categories counted as "P and above" (contract 3.5).
P_AND_ABOVE = ("P", "D", "elected")
#: Staff categories in the contract's order (1.4), from the top.
STAFF_CATEGORIES = ("elected", "D", "P", "G")
#: Regions of nationality (contract 1.4), every one listed in ``p_and_above_by_region``.
REGIONS = ("A", "B", "C", "D", "E")
#: Sectors and categories of membership, in the contract's order (1.4).
MEMBERSHIP_SECTORS = ("R", "T", "D")
MEMBERSHIP_CATEGORIES = ("member_state", "sector_member", "associate", "academia")


def _count(value: int | Decimal | None) -> int:
    """A whole number from a SQL sum (PostgreSQL sums integers as ``numeric``)."""
    return int(value or 0)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def staff(conn: Connection, year: int) -> dict[str, object] | None:
    """The ``staff`` block; ``None`` where no staff rows were loaded for the year.

    ``headcount`` sums every row; ``women_share`` is female / all; the same over
    categories P, D and elected is ``women_share_p_and_above``; ``regional_office_share``
    is the headcount of the ``RO-*`` units over all (null where the headcount is 0);
    ``p_and_above_by_region`` the headcount of P, D and elected by region, every region
    listed (0 where none).
    """
    t = s.staff
    senior = t.c.category.in_(P_AND_ABOVE)
    female = t.c.gender == "female"
    regional = t.c.org_unit.like("RO-%")

    def total(condition):  # noqa: ANN001, ANN202 - SQL expressions
        return func.sum(case((condition, t.c.headcount), else_=literal(0)))

    query = current(t, year).with_only_columns(
        func.count(),
        func.sum(t.c.headcount),
        total(female),
        total(senior),
        total(senior & female),
        total(regional),
    )
    rows, headcount, women, p_up, p_up_women, offices = conn.execute(query).one()
    if not rows:
        return None
    headcount, women, p_up = _count(headcount), _count(women), _count(p_up)
    by_region = (
        current(t, year)
        .where(senior)
        .with_only_columns(t.c.region, func.sum(t.c.headcount))
        .group_by(t.c.region)
        .order_by(bytewise(t.c.region))
    )
    found = {region: _count(n) for region, n in conn.execute(by_region) if region is not None}
    regions = {region: found.get(region, 0) for region in REGIONS}
    regions.update({r: n for r, n in found.items() if r not in regions})
    by_category: dict[str, dict[str, int]] = {}
    grouped = (
        current(t, year)
        .with_only_columns(t.c.category, t.c.gender, func.sum(t.c.headcount))
        .group_by(t.c.category, t.c.gender)
        .order_by(bytewise(t.c.category), bytewise(t.c.gender))
    )
    for category, gender, n in conn.execute(grouped):
        by_category.setdefault(category, {})[gender] = _count(n)
    order = {c: i for i, c in enumerate(STAFF_CATEGORIES)}
    by_unit = (
        current(t, year)
        .where(regional)
        .with_only_columns(t.c.org_unit, func.sum(t.c.headcount))
        .group_by(t.c.org_unit)
        .order_by(bytewise(t.c.org_unit))
    )
    return {
        "headcount": headcount,
        "women_share": _share(women, headcount),
        "women_share_p_and_above": _share(_count(p_up_women), p_up),
        "regional_office_share": _share(_count(offices), headcount),
        "p_and_above_by_region": regions,
        "by_category": dict(
            sorted(by_category.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        ),
        "regional_offices": {unit: _count(n) for unit, n in conn.execute(by_unit)},
    }


def membership(conn: Connection, year: int) -> dict[str, dict[str, dict]] | None:
    """The loaded membership rows: ``{sector: {category: {members, participating}}}``.

    Sectors and categories in the contract's order; ``participating`` null where not
    given; ``None`` where no membership rows were loaded for the year.
    """
    t = s.membership
    query = (
        current(t, year)
        .with_only_columns(t.c.sector, t.c.category, t.c.members, t.c.participating)
        .order_by(bytewise(t.c.sector), bytewise(t.c.category))
    )
    rows = conn.execute(query).all()
    if not rows:
        return None
    found = {(sector, category): (members, part) for sector, category, members, part in rows}

    def rank(values: tuple[str, ...], value: str) -> tuple[int, str]:
        return (values.index(value) if value in values else len(values), value)

    out: dict[str, dict[str, dict]] = {}
    for sector, category in sorted(
        found, key=lambda k: (rank(MEMBERSHIP_SECTORS, k[0]), rank(MEMBERSHIP_CATEGORIES, k[1]))
    ):
        members, participating = found[(sector, category)]
        out.setdefault(sector, {})[category] = {
            "members": int(members),
            "participating": None if participating is None else int(participating),
        }
    return out


def document(conn: Connection, year: int) -> dict[str, object]:
    """The Council document: its ``number`` (``None`` without one) and ``draft``.

    Also, as given: ``session``, ``agenda_item``, ``date``, ``original_language`` and
    ``references`` (a list, split on ``;``). A year without ``council_document.csv``, or
    without its ``document`` field, is a draft.
    """
    t = s.council_document
    query = (
        current(t, year)
        .with_only_columns(t.c.field, t.c.value)
        .order_by(bytewise(t.c.field), t.c.row_number)
    )
    fields: dict[str, str | None] = {}
    for field, value in conn.execute(query):
        fields.setdefault(field, value)
    number = fields.get("document") or None
    references = [r.strip() for r in (fields.get("references") or "").split(";") if r.strip()]
    return {
        "number": number,
        "draft": number is None,
        "session": fields.get("session"),
        "agenda_item": fields.get("agenda_item"),
        "date": fields.get("date"),
        "original_language": fields.get("original_language"),
        "references": references,
    }
