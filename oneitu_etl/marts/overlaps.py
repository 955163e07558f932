"""One ITU: possible overlaps, pairs of activities of different sectors with similar titles.

A *possible overlap* is a pair of activities (not cancelled) under the same thematic
priority, led by units of different sectors, whose titles are near-duplicates. It is a
prompt to coordinate, never a finding: pairs are listed, the activities are never merged.

How titles are compared:

1. :func:`normalise_title`: casefold, strip accents (Unicode NFKD, combining marks
   dropped), drop a trailing numbering such as ``" #123"``, turn punctuation into spaces,
   collapse spaces. ``"Atelier régional : Spectre #4"`` becomes ``"atelier regional
   spectre"``.
2. RapidFuzz ``fuzz.token_set_ratio`` (0-100) of the two normalised titles: word order
   does not matter and a title that adds words to another still scores high
   (``"digital inclusion workshop"`` against ``"digital inclusion workshop for africa"``
   scores 100).
3. A pair is listed when the score, rounded to 1 decimal as it is reported, is at
   least :data:`SIMILARITY_THRESHOLD` and both titles have at least
   :data:`MIN_TITLE_WORDS` words: a one-word title such as ``"Workshop"`` is contained
   in too many others to mean anything.

The activities come from one SQL query; pairing happens in Python, and only among the
candidates of one thematic priority.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from itertools import combinations

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, and_

from oneitu_etl.marts.base import bytewise, current, plan_of
from oneitu_etl.warehouse import schema as s

#: Lowest RapidFuzz ``token_set_ratio`` (0-100) at which two titles are near-duplicates.
SIMILARITY_THRESHOLD = 85.0
#: Fewest words a normalised title needs to be compared at all.
MIN_TITLE_WORDS = 2

_NUMBERING = re.compile(r"\s*#\s*\d+\s*$")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """The form of an activity title that is compared (see the module docstring)."""
    text = _NUMBERING.sub("", title.strip())
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def title_similarity(a: str, b: str) -> float:
    """Similarity (0-100, 1 decimal) of two titles once normalised."""
    return round(fuzz.token_set_ratio(normalise_title(a), normalise_title(b)), 1)


def overlapping_pairs(
    activities: Iterable[Mapping[str, str]],
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[dict[str, object]]:
    """Pairs of near-duplicate activities of different sectors within each strategic code.

    Pure: rows in, pairs out.

    Args:
        activities: Rows with ``activity_id``, ``org_unit``, ``sector``,
            ``strategic_code`` and ``title``.
        threshold: Lowest similarity listed.

    Returns:
        ``{"strategic_code", "similarity", "a", "b"}`` per pair, ``a`` the activity with
        the smaller id; sorted by strategic code, similarity (highest first), then ids.
    """
    groups: dict[str, dict[str, dict[str, list[Mapping[str, str]]]]] = {}
    for row in activities:
        words = normalise_title(row["title"])
        if len(words.split()) >= MIN_TITLE_WORDS:
            by_sector = groups.setdefault(row["strategic_code"], {}).setdefault(row["sector"], {})
            by_sector.setdefault(words, []).append(row)
    pairs = []
    for code, sectors in groups.items():
        for first, second in combinations(sorted(sectors), 2):
            for title_a, title_b, score in _similar(list(sectors[first]), list(sectors[second]),
                                                    threshold):  # fmt: skip
                for a in sectors[first][title_a]:
                    for b in sectors[second][title_b]:
                        low, high = sorted((a, b), key=lambda r: r["activity_id"])
                        pairs.append(
                            {"strategic_code": code, "similarity": score, "a": _side(low),
                             "b": _side(high)}
                        )  # fmt: skip
    pairs.sort(
        key=lambda p: (
            p["strategic_code"],
            -p["similarity"],
            p["a"]["activity_id"],
            p["b"]["activity_id"],
        )  # type: ignore[index]
    )
    return pairs


def _similar(
    first: list[str], second: list[str], threshold: float
) -> Iterable[tuple[str, str, float]]:
    """The pairs of distinct normalised titles, one of each list, scoring at least
    ``threshold``: RapidFuzz's ``cdist`` (compiled, in blocks of rows so that memory stays
    small), each title compared once however many activities share it."""
    block = max(1, 2_000_000 // max(len(second), 1))
    for start in range(0, len(first), block):
        rows = first[start : start + block]
        scores = process.cdist(
            rows, second, scorer=fuzz.token_set_ratio, score_cutoff=threshold - 0.05,
            dtype=np.float32, workers=-1,
        )  # fmt: skip
        for i, j in zip(*np.nonzero(scores), strict=True):
            score = round(fuzz.token_set_ratio(rows[i], second[j]), 1)
            if score >= threshold:
                yield rows[i], second[j], score


def _side(row: Mapping[str, str]) -> dict[str, str]:
    return {k: row[k] for k in ("activity_id", "org_unit", "sector", "title")}


def possible_overlaps(
    conn: Connection, year: int, threshold: float = SIMILARITY_THRESHOLD
) -> list[dict[str, object]]:
    """Possible overlaps among the year's current activities (not cancelled).

    Only activities under a thematic priority of the year's plan are compared.
    """
    a, o, e = s.activities, s.org_units, s.strategic_elements
    query = (
        current(a, year)
        .join(o, o.c.code == a.c.org_unit)
        .join(e, and_(e.c.code == a.c.strategic_code, e.c.plan == plan_of(conn, year)))
        .where(a.c.status != "cancelled", e.c.kind == "thematic_priority")
        .with_only_columns(a.c.activity_id, a.c.org_unit, o.c.sector, a.c.strategic_code, a.c.title)
        .order_by(bytewise(a.c.strategic_code), bytewise(a.c.activity_id))
    )
    return overlapping_pairs(conn.execute(query).mappings(), threshold)
