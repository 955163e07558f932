"""The demo's narratives: the project's own sentences, one set per Strategic Plan cycle.

``narratives.csv`` holds, for every thematic priority and enabler of each cycle, an
achievement and a challenge in English and French (some also a next step or a highlight,
and some in Arabic, Chinese, Russian or Spanish); ``variances.csv`` an explanation of
under-spending for every unit, in English and French. They are data, not code: a person
can read and edit them. :func:`narratives_for` turns them into a year's narrative rows
(contract 3.4), each written by the unit that spends most on its element that year.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: A unit whose actual expenses are below this share of its final budget explains why.
VARIANCE_BELOW = 0.90


@lru_cache(maxsize=1)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    with (HERE / name).open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def _writers(allocation: Sequence[tuple[str, str, int]]) -> dict[str, str]:
    """For each strategic code, the unit that spends most on it (ties: the first code)."""
    best: dict[str, tuple[int, str]] = {}
    for unit, code, cents in allocation:
        if code not in best or cents > best[code][0]:
            best[code] = (cents, unit)
    return {code: unit for code, (_, unit) in best.items()}


def narratives_for(
    plan: str,
    year: int,
    allocation: Sequence[tuple[str, str, int]],
    budget: Sequence[tuple[str, int, int, int]],
) -> list[list[str]]:
    """The year's narrative rows: ``[narrative_id, org_unit, strategic_code, kind,
    language, text, reference]``.

    Args:
        plan: The year's Strategic Plan cycle (whose texts are used).
        year: The financial year (in the narrative ids).
        allocation: ``(org_unit, strategic_code, cents)``: who writes each element's texts.
        budget: ``(org_unit, approved, final, actual)``: units that under-spend by more
            than 10 % explain it (a ``variance`` without a strategic code).
    """
    writers = _writers(allocation)
    ids: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    rows: list[list[str]] = []
    for text in _rows("narratives.csv"):
        code = text["strategic_code"]
        if text["plan"] != plan or code not in writers:
            continue
        unit = writers[code]
        key = (code, text["kind"])
        if key not in ids:
            counts[unit] = counts.get(unit, 0) + 1
            ids[key] = f"{unit}-{year}-{counts[unit]:02d}"
        rows.append([ids[key], unit, code, text["kind"], text["language"], text["text"],
                     text["reference"]])  # fmt: skip
    under = {unit for unit, _, final, actual in budget if final and actual < VARIANCE_BELOW * final}
    for text in _rows("variances.csv"):
        unit = text["org_unit"]
        if unit in under:
            rows.append(
                [f"{unit}-{year}-V", unit, "", "variance", text["language"], text["text"], ""]
            )
    rows.sort(key=lambda r: (r[1], r[0]))  # by unit, then narrative: the files' order
    return rows
