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

from rapidfuzz import fuzz
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
    groups: dict[str, list[tuple[Mapping[str, str], str]]] = {}
    for row in activities:
        words = normalise_title(row["title"])
        if len(words.split()) >= MIN_TITLE_WORDS:
            groups.setdefault(row["strategic_code"], []).append((row, words))
    pairs = []
    for code, rows in groups.items():
        ordered = sorted(rows, key=lambda item: item[0]["activity_id"])
        for (a, title_a), (b, title_b) in combinations(ordered, 2):
            if a["sector"] == b["sector"]:
                continue
            score = round(fuzz.token_set_ratio(title_a, title_b), 1)
            if score >= threshold:
                pairs.append(
                    {
                        "strategic_code": code,
                        "similarity": score,
                        "a": _side(a),
                        "b": _side(b),
                    }
                )
    pairs.sort(
        key=lambda p: (
            p["strategic_code"],
            -p["similarity"],
            p["a"]["activity_id"],
            p["b"]["activity_id"],
        )  # type: ignore[index]
    )
    return pairs


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
