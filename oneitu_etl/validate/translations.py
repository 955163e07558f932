"""(v2) Narratives: the rows of one ``narrative_id`` are translations of one another.

Contract 3.4: across the year's narrative files (name order, then file order)
``(narrative_id, language)`` is unique and every row agrees on :data:`AGREEING` with the
first loaded row of its ``narrative_id``; rows that do not are quarantined. The suite
declares the pair unique within a file; :class:`Translations` carries what the earlier
files fixed. GX judges loaded rows (unique across files by construction); the agreement
has no GX expectation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue

if TYPE_CHECKING:
    from oneitu_etl.sources.files import RawTable

#: What the translations of one narrative share with its first loaded row.
PAIR = "narrative_id and language"
AGREEING = ("org_unit", "strategic_code", "kind")


@dataclass
class Translations:
    """The narratives of the files judged so far (one instance per year's group).

    Attributes:
        first: ``narrative_id`` -> its first loaded row's ``AGREEING`` values and place.
        pairs: ``(narrative_id, language)`` -> the place of the row that took it.
    """

    first: dict[str, tuple[tuple[str, str, str], str]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], str] = field(default_factory=dict)

    def check(
        self, raw: RawTable, typed: pd.DataFrame, issues: list[Issue]
    ) -> dict[tuple[str, str | None], list[int]]:
        """Judge one narratives file against the earlier ones (and its own earlier rows),
        appending to ``issues``; rows with an error already are skipped. Returns the rows
        whose pair an earlier file gave, under the declared rule's key, as GX finds them
        (a disagreeing translation's issue quarantines its row, with no GX counterpart)."""
        bad = {i.row for i in issues if i.is_error and i.row is not None}
        repeated: list[int] = []
        taken: dict[tuple[str, str], str] = {}
        for row in (int(r) for r in typed.index if r not in bad):
            rid, language = typed.at[row, "narrative_id"], typed.at[row, "language"]
            place = say("place_row", file=raw.file, row=row)
            if (rid, language) in self.pairs:
                repeated.append(row)
                key, first = f"{rid}, {language}", self.pairs[(rid, language)]
                message = say("duplicate_in", columns=PAIR, key=key, place=first)
                where_ = {"row": row, "column": "narrative_id", "value": rid}
                issues.append(raw.issue(message, **where_, rule="unique"))
                continue
            values = tuple(_text(typed.at[row, c]) for c in AGREEING)
            expected, where = self.first.setdefault(rid, (values, place))
            differs = [i for i, (a, b) in enumerate(zip(values, expected, strict=True)) if a != b]
            if differs:
                i = differs[0]
                column, value, first = AGREEING[i], values[i], expected[i]
                message = say(
                    "translation_differs", narrative=rid, column=column, place=where,
                    value=value or say("empty_value"), first=first or say("empty_value"),
                )  # fmt: skip
                where_ = {"row": row, "column": column, "value": value or None}
                issues.append(raw.issue(message, **where_, rule="translation_agrees"))
                continue
            taken[(rid, language)] = place
        self.pairs.update(taken)
        return {("unique", "narrative_id"): repeated}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
