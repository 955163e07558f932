"""Targets: each indicator's value for the year and its status on the trajectory rule.

The status is decided by :func:`indicator_status`, a pure function of one indicator's
definition and value that states contract section 3.3 line by line; :func:`indicators`
applies it to one SQL query joining the current definitions to the year's values.
"""

from __future__ import annotations

from sqlalchemy import Connection

from oneitu_etl.marts.base import bytewise, current
from oneitu_etl.warehouse import schema as s

#: Progress from which an indicator is ``on_track`` (contract 3.3).
ON_TRACK = 0.95
#: Progress from which an indicator not on track is ``at_risk`` rather than ``off_track``.
AT_RISK = 0.75
STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")


def indicator_status(
    value: float | None,
    *,
    year: int,
    baseline: float,
    baseline_year: int,
    target: float,
    target_year: int,
    direction: str,
) -> dict[str, object]:
    """Status of an indicator in ``year`` by the contract's trajectory rule (section 3.3).

    With value v, baseline b in year y0 and target t in year y1:

    - ``no_data`` when there is no value (expected and progress ``None``);
    - ``achieved`` when v >= t (``increase``) or v <= t (``decrease``), whatever the year;
    - for y0 < y <= y1, expected e = b + (t - b) * (y - y0) / (y1 - y0) and progress
      p = (v - b) / (e - b): ``on_track`` if p >= 0.95, ``at_risk`` if 0.75 <= p < 0.95,
      ``off_track`` below (``off_track`` too, with p ``None``, when e = b, i.e. t = b:
      v is then worse than the target);
    - for y <= y0: e = b, ``on_track`` if v is at least as good as b, else ``off_track``;
    - for y > y1 (target year passed, target not reached): e = t, ``off_track``.

    Progress is given only within (y0, y1], where it is defined.

    Args:
        value: The year's value, ``None`` when there is none.
        year: The report's year.
        baseline: Baseline value b.
        baseline_year: Baseline year y0.
        target: Target value t.
        target_year: Target year y1 (> y0).
        direction: ``increase`` or ``decrease``.

    Returns:
        ``{"status", "expected", "progress"}``.
    """
    if value is None:
        return {"status": "no_data", "expected": None, "progress": None}
    up = direction == "increase"

    def at_least_as_good(v: float, reference: float) -> bool:
        return v >= reference if up else v <= reference

    if baseline_year < year <= target_year:
        expected = baseline + (target - baseline) * (year - baseline_year) / (
            target_year - baseline_year
        )
        progress = (value - baseline) / (expected - baseline) if expected != baseline else None
    else:
        expected = baseline if year <= baseline_year else target
        progress = None
    if at_least_as_good(value, target):
        status = "achieved"
    elif year <= baseline_year:
        status = "on_track" if at_least_as_good(value, baseline) else "off_track"
    elif year > target_year or progress is None:
        status = "off_track"
    elif progress >= ON_TRACK:
        status = "on_track"
    elif progress >= AT_RISK:
        status = "at_risk"
    else:
        status = "off_track"
    return {"status": status, "expected": expected, "progress": progress}


def indicators(conn: Connection, year: int) -> dict[str, dict[str, object]]:
    """Every current indicator definition with its value, expected value and status."""
    d, v = s.indicator_definitions, s.indicator_values
    values = current(v, year).with_only_columns(v.c.indicator_code, v.c.value, v.c.note).subquery()
    query = (
        current(d)
        .outerjoin(values, values.c.indicator_code == d.c.indicator_code)
        .with_only_columns(
            d.c.indicator_code,
            d.c.strategic_code,
            d.c.name_en,
            d.c.name_fr,
            d.c.unit,
            d.c.direction,
            d.c.baseline_year,
            d.c.baseline_value,
            d.c.target_year,
            d.c.target_value,
            values.c.value,
            values.c.note,
        )
        .order_by(bytewise(d.c.indicator_code))
    )
    out: dict[str, dict[str, object]] = {}
    for row in conn.execute(query).mappings():
        status = indicator_status(
            row["value"],
            year=year,
            baseline=row["baseline_value"],
            baseline_year=row["baseline_year"],
            target=row["target_value"],
            target_year=row["target_year"],
            direction=row["direction"],
        )
        out[row["indicator_code"]] = {
            "value": row["value"],
            "expected": status["expected"],
            "target": row["target_value"],
            "status": status["status"],
            "progress": status["progress"],
            "baseline": row["baseline_value"],
            "baseline_year": row["baseline_year"],
            "target_year": row["target_year"],
            "unit": row["unit"],
            "direction": row["direction"],
            "strategic_code": row["strategic_code"],
            "name_en": row["name_en"],
            "name_fr": row["name_fr"],
            "note": (row["note"] or "").strip() or None,
        }
    return out
