"""(v2) Narratives: the rows of one ``narrative_id`` are translations of one another.

Contract 3.4: across the year's narrative files (in name order, rows in file order),
``(narrative_id, language)`` is unique, and every row agrees on ``org_unit``,
``strategic_code`` and ``kind`` with the *first loaded row* of its ``narrative_id``.
Rows that do not are quarantined. The declared suite checks the pair within one file
(``expect_compound_columns_to_be_unique``); :class:`Translations` carries what the files
judged so far fixed, so that a later file is judged against them. Great Expectations
judges loaded rows, where the pair is unique across files by construction; the agreement
of translations has no GX expectation and is checked here only.
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
        """Judge one narratives file against the earlier ones (and its own earlier rows).

        Rows that already have an error are neither judged nor taken as a first row.
        The issues of the rows that fail are appended to ``issues``.

        Returns:
            The rows whose pair was given in an earlier file, under the declared rule's
            key (``unique``, ``narrative_id``), as GX finds them in the year's batch. The
            agreement of translations has no GX counterpart: its rows are not returned
            (their issues, with rule ``translation_agrees``, quarantine them).
        """
        bad = {i.row for i in issues if i.is_error and i.row is not None}
        repeated: list[int] = []
        taken: dict[tuple[str, str], str] = {}
        for row in typed.index:
            if row in bad:
                continue
            rid, language = typed.at[row, "narrative_id"], typed.at[row, "language"]
            place = say("place_row", file=raw.file, row=row)
            if (rid, language) in self.pairs:
                repeated.append(int(row))
                issues.append(
                    raw.issue(
                        say(
                            "duplicate_in",
                            columns="narrative_id and language",
                            key=f"{rid}, {language}",
                            place=self.pairs[(rid, language)],
                        ),
                        row=int(row),
                        column="narrative_id",
                        value=rid,
                        rule="unique",
                    )
                )
                continue
            values = tuple(_text(typed.at[row, c]) for c in AGREEING)
            if rid in self.first:
                expected, where = self.first[rid]
                differs = [
                    i for i, (a, b) in enumerate(zip(values, expected, strict=True)) if a != b
                ]
                if differs:
                    column = AGREEING[differs[0]]
                    issues.append(
                        raw.issue(
                            say(
                                "translation_differs",
                                narrative=rid,
                                column=column,
                                value=values[differs[0]] or say("empty_value"),
                                place=where,
                                first=expected[differs[0]] or say("empty_value"),
                            ),
                            row=int(row),
                            column=column,
                            value=values[differs[0]] or None,
                            rule="translation_agrees",
                        )
                    )
                    continue
            else:
                self.first[rid] = (values, place)  # type: ignore[assignment]
            taken[(rid, language)] = place
        self.pairs.update(taken)
        return {("unique", "narrative_id"): repeated}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
