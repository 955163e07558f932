"""The row rules of a declaration compiled once into DuckDB SQL, run over any table.

:class:`Compiled` turns a declaration (:mod:`.suites`) into one query over a relation of
text cells (``row``, the row number a person sees, and one stripped ``VARCHAR`` per
header name): each column's typed value (amounts in CHF and in integer cents, NULL where
a cell is empty or does not parse), each column's format flag, and each rule's failure
flag with GX's semantics on the batch frame (NULL ignored except by not-null; a
``row_condition`` limits the rows; uniqueness flags the later occurrences, with the row of
the first). The relation is a registered frame (:func:`run`) or a DuckDB table filled from
a large file (:mod:`.large`); only failing rows come back, for :mod:`.rows`' messages.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd

from oneitu_etl.validate.suites import Declaration, Rule, cents_column

#: Formats of the text as delivered; a digit is any decimal digit (as Python's ``\d``).
AMOUNT = r"[+-]?\p{Nd}+(\.\p{Nd}{1,2})?"
INTEGER = r"[+-]?\p{Nd}+"
NUMBER = r"[+-]?(\p{Nd}+(\.\p{Nd}*)?|\.\p{Nd}+)([eE][+-]?\p{Nd}+)?"
ISO_DATE = r"\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}"
#: SQL: a text without the spaces ``str.strip()`` removes (Unicode spaces, ASCII separators).
_STRIP = r"regexp_replace({}, '^[\t\n\x0b\x0c\r\x1c-\x1f\x85\p{{Z}}]+|[\t\n\x0b\x0c\r\x1c-\x1f\x85\p{{Z}}]+$', '', 'g')"
_UNIQUE = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
_AMOUNTS = ("amount", "signed_amount")
#: A decimal digit beyond ASCII (Python's ``\d`` is any Unicode decimal digit).
_FOREIGN_DIGIT = re.compile(r"(?![0-9])\d")


@functools.cache
def _digits() -> tuple[str, str]:
    """Every decimal digit beyond ASCII, and its ASCII digit."""
    found = [c for c in map(chr, range(128, sys.maxunicode + 1)) if unicodedata.category(c) == "Nd"]
    return "".join(found), "".join(str(unicodedata.digit(c)) for c in found)


def ascii_digits(expr: str) -> str:
    """SQL: ``expr`` with its digits in ASCII (an amount or a date read as Python reads it)."""
    other, ascii_ = _digits()
    return f"CASE WHEN regexp_matches({expr}, '[^\\x00-\\x7f]') THEN translate({expr}, {literal(other)}, {literal(ascii_)}) ELSE {expr} END"


def quoted(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal of a declared value (text, number, date, or a list of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _in(expr: str, values: Sequence[Any]) -> str:
    if not values:
        return "false"
    return f"list_contains({literal(list(values))}, {expr})"


class Compiled:
    """One declaration's typed values, format flags and rule flags, as SQL.

    Columns of the query: ``row``, the text cells (by name), ``v<i>`` the typed value of
    the i-th declared column, ``c<i>`` its cents (amounts), ``fmt<i>`` its format flag,
    ``r<j>`` the j-th rule's failure flag and, for uniqueness, ``first<j>``.
    """

    def __init__(self, declaration: Declaration, rules: Sequence[Rule]):
        self.declaration = declaration
        self.rules = list(rules)
        self.index = {c.name: i for i, c in enumerate(declaration.columns)}
        #: Whether the text is known to have ASCII digits only (none to translate; ``\p{Nd}``
        #: matches what ``[0-9]`` matches).
        self.ascii = False
        #: Uniqueness rules (by position) known to hold: no window needed.
        self.unique_holds: set[int] = set()
        #: Other rules (by position) known to hold on every row: no flag computed.
        self.holds: set[int] = set()
        self._queries: dict[tuple, str] = {}

    def _digits(self, expr: str) -> str:
        return expr if self.ascii else ascii_digits(expr)

    def _pattern(self, pattern: str) -> str:
        return pattern.replace(r"\p{Nd}", "[0-9]") if self.ascii else pattern

    def value(self, column: str) -> str:
        """The typed value of a declared column (alias ``v<i>``)."""
        return f"v{self.index[column]}"

    def _typed(self, i: int) -> list[str]:
        col = self.declaration.columns[i]
        c = quoted(col.name)
        if col.type in _AMOUNTS:
            # 64-bit decimals where the cents times 100 fit (up to 14 characters): the
            # 128-bit cast costs a tenth of a large ledger's pass; the same cents either way
            cast = f"TRY_CAST(TRY_CAST({self._digits(c)} AS DECIMAL({{}}, 2)) * 100 AS BIGINT)"
            cents = (
                f"CASE WHEN NOT regexp_full_match({c}, '{self._pattern(AMOUNT)}') THEN NULL "
                f"WHEN length({c}) <= 14 THEN {cast.format(18)} ELSE {cast.format(38)} END"
            )
            return [f"{cents} AS c{i}", f"CAST(c{i} AS DOUBLE) / 100 AS v{i}"]
        if col.type == "integer":
            return [f"CASE WHEN regexp_full_match({c}, '{self._pattern(INTEGER)}') THEN TRY_CAST({c} AS BIGINT) END AS v{i}"]  # fmt: skip
        if col.type == "number":
            return [f"CASE WHEN regexp_full_match({c}, '{self._pattern(NUMBER)}') THEN TRY_CAST({c} AS DOUBLE) END AS v{i}"]  # fmt: skip
        if col.type == "date":  # no year 0, as pandas' dates
            text = self._digits(c)
            return [
                f"CASE WHEN regexp_full_match({c}, '{self._pattern(ISO_DATE)}') AND NOT starts_with({text}, '0000') "
                f"THEN TRY_CAST({text} AS DATE) END AS v{i}"
            ]
        if col.type == "codes":  # a ;-separated list, each item stripped, empty items out
            items = f"list_transform(string_split({c}, ';'), lambda x: {_STRIP.format('x')})"
            return [f"array_to_string(list_filter({items}, lambda x: x <> ''), ';') AS v{i}"]
        return [f"NULLIF({c}, '') AS v{i}"]

    def _format(self, i: int) -> str | None:
        col = self.declaration.columns[i]
        if col.type in _AMOUNTS:  # not an amount, or beyond 64-bit cents
            return f"{quoted(col.name)} <> '' AND c{i} IS NULL"
        if col.type == "integer":
            pattern = INTEGER
        elif col.type == "number":
            pattern = NUMBER
        elif col.type == "date":
            return f"{quoted(col.name)} <> '' AND v{i} IS NULL"
        else:
            return None
        return f"{quoted(col.name)} <> '' AND NOT regexp_full_match({quoted(col.name)}, '{self._pattern(pattern)}')"

    def _condition(self, rule: Rule) -> str:
        parts = []
        for column, value in (rule.kwargs.get("row_condition") or {}).items():
            v = self.value(column)
            parts.append(_in(v, value) if isinstance(value, list) else f"{v} = {literal(value)}")
        return " AND ".join(f"coalesce({p}, false)" for p in parts)

    def _failing(self, j: int, rule: Rule) -> str:
        if j in self.holds:
            return "false"
        k, t = rule.kwargs, rule.type
        v = self.value(k["column"]) if "column" in k else None
        if t in ("expect_column_to_exist", "expect_column_values_to_be_of_type"):
            return "false"
        if t == "expect_column_values_to_not_be_null":
            return f"{v} IS NULL"
        if t == "expect_column_values_to_be_in_set":
            return f"{v} IS NOT NULL AND NOT {_in(v, k['value_set'])}"
        if t == "expect_column_values_to_not_be_in_set":
            return f"{v} IS NOT NULL AND {_in(v, k['value_set'])}"
        if t == "expect_column_values_to_match_regex":
            return f"{v} IS NOT NULL AND NOT regexp_matches({v}, {literal(k['regex'])})"
        if t in ("expect_column_value_lengths_to_be_between", "expect_column_values_to_be_between"):
            x = f"length({v})" if "lengths" in t else v
            bounds = [f"{x} < {literal(k['min_value'])}"] if k.get("min_value") is not None else []
            bounds += [f"{x} > {literal(k['max_value'])}"] if k.get("max_value") is not None else []
            return f"{v} IS NOT NULL AND ({' OR '.join(bounds) or 'false'})"
        if t in _UNIQUE:
            if j in self.unique_holds:
                return "false"
            keys, present = self._key(rule)
            return f"{present} AND row > min(row) OVER (PARTITION BY {keys})"
        if t == "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = self.value(k["column_A"]), self.value(k["column_B"])
            ok = f"{a} >= {b}" if k.get("or_equal") else f"{a} > {b}"
            return f"{a} IS NOT NULL AND {b} IS NOT NULL AND NOT ({ok})"
        if t == "expect_column_pair_values_to_be_in_set":
            a, b = self.value(k["column_A"]), self.value(k["column_B"])
            pairs = [list(p) for p in k["value_pairs_set"]]
            return f"{a} IS NOT NULL AND {b} IS NOT NULL AND NOT {_in(f'[{a}, {b}]', pairs)}"
        raise ValueError(f"{rule.suite}: the row engine does not know {t}")

    def _key(self, rule: Rule) -> tuple[str, str]:
        """A uniqueness rule's key (SQL list) and when a row has one: every value present,
        or (v2) always, where a missing value is part of the key (``ignore_row_if``)."""
        keys = ", ".join(self.value(c) for c in rule.columns)
        if rule.kwargs.get("ignore_row_if") == "never":
            return keys, "true"
        return keys, " AND ".join(f"{self.value(c)} IS NOT NULL" for c in rule.columns)

    def failing(self, j: int) -> str:
        """SQL: whether rule ``j`` fails on a row of typed values (its condition included;
        NULL: it does not)."""
        failing = self._failing(j, self.rules[j])
        condition = self._condition(self.rules[j])
        return f"({failing}) AND {condition}" if condition else failing

    def formatted(self) -> list[int]:
        """The declared columns (by position) that have a format flag (``fmt<i>``)."""
        return [i for i in self.index.values() if self._format(i)]

    def typed_query(self, source: str, *, extra: str = "row") -> str:
        """``row`` (or ``extra``), the typed values (``v<i>``, ``c<i>``) and format flags
        (``fmt<i>``) of every row of ``source`` (the text cells)."""
        typed = [e for i in range(len(self.index)) for e in self._typed(i)]
        typed += [f"({f}) AS fmt{i}" for i in self.index.values() if (f := self._format(i))]
        return f"SELECT {extra}, {', '.join(typed)} FROM {source}"  # noqa: S608 - quoted names

    def flags_query(self, typed: str, *, failing_only: bool = False) -> str:
        """The rules' flags (``r<j>``, ``first<j>``) over ``typed`` (:meth:`typed_query`):
        every row, or only those with a flag, in row order."""
        names = [f"fmt{i}" for i in self.index.values() if self._format(i)]
        flags = []
        for j, rule in enumerate(self.rules):
            flags.append(f"coalesce({self.failing(j)}, false) AS r{j}")
            names.append(f"r{j}")
            if rule.type in _UNIQUE and j not in self.unique_holds:
                keys = self._key(rule)[0]
                flags.append(f"min(row) OVER (PARTITION BY {keys}) AS first{j}")
        where = f"WHERE {' OR '.join(names) or 'false'}" if failing_only else ""
        return (
            f"SELECT * FROM (SELECT *, {', '.join(flags) or 'true AS none_'} FROM {typed}) "  # noqa: S608 - quoted names, literals
            f"{where} ORDER BY row"
        )

    def screen(self, typed: str) -> tuple[str, list[int]]:
        """SQL of one row over ``typed``, one pass without a window: its rows, the last
        row's number, the rows flagged (uniqueness aside), and per uniqueness rule (by
        position: the list) whether a key may repeat (by 64-bit hashes; a collision only
        sends the rule to the window)."""
        flags = [f"fmt{i}" for i in self.formatted()]
        counts, unique = [], []
        for j, rule in enumerate(self.rules):
            if rule.type in _UNIQUE:
                keys, present = self._key(rule)
                counts.append(
                    f"count(*) FILTER (WHERE {present}) "
                    f"- count(DISTINCT hash({keys})) FILTER (WHERE {present})"
                )
                unique.append(j)
                continue
            flags.append(f"coalesce({self.failing(j)}, false)")
        flagged = f"count(*) FILTER (WHERE {' OR '.join(flags) or 'false'})"
        columns = ", ".join(["count(*)", "coalesce(max(row), 1)", flagged, *counts])
        return f"SELECT {columns} FROM {typed}", unique  # noqa: S608 - quoted names, literals

    def query(self, source: str, *, failing_only: bool = False) -> str:
        """The typed values and every flag over ``source``: every row, or the failing."""
        key = (source, failing_only, self.ascii, *map(frozenset, (self.unique_holds, self.holds)))
        if key not in self._queries:  # the same table's files: compiled once
            typed = f"({self.typed_query(source)})"
            self._queries[key] = self.flags_query(typed, failing_only=failing_only)
        return self._queries[key]

    def distinct_keys(self, cells: pd.DataFrame) -> set[int]:
        """Uniqueness rules (by position) whose keys, all text, are distinct in ``cells``.

        A text's typed value is its cell, or NULL for an empty one: distinct cells are
        distinct keys, so the rule holds without a window.
        """
        holds = set()
        for j, rule in enumerate(self.rules):
            if rule.type not in _UNIQUE:
                continue
            types = [self.declaration.columns[self.index[c]].type for c in rule.columns]
            if all(t in ("text", "code") for t in types) and all(c in cells for c in rule.columns):
                if not cells[list(rule.columns)].duplicated().any():
                    holds.add(j)
        return holds

    def failed(self, found: pd.DataFrame) -> dict[str, pd.Index]:
        """Rows flagged by each format (``fmt<i>``) and rule (``r<j>``) in ``found``."""
        names = [c for c in found.columns if c.startswith(("fmt", "r")) and c[-1].isdigit()]
        flags = found[names].to_numpy(dtype=bool)  # one block: most flags are false throughout
        none = found.index[:0]
        return {
            c: found.index[flags[:, k]] if flags[:, k].any() else none for k, c in enumerate(names)
        }

    def values(self, found: pd.DataFrame) -> pd.DataFrame:
        """The typed values of ``found`` by column name, as the batch frame has them."""
        return pd.DataFrame(
            {c.name: found[f"v{i}"] for i, c in enumerate(self.declaration.columns)},
            index=found.index,
        )

    def typed_frame(self, found: pd.DataFrame) -> pd.DataFrame:
        """The typed rows for loading: amounts in ``*_cents``, dates as ``datetime.date``."""
        typed: dict[str, pd.Series] = {}
        for i, col in enumerate(self.declaration.columns):
            v = found[f"v{i}"]
            if col.type in _AMOUNTS:
                typed[cents_column(col.name)] = found[f"c{i}"].astype("Int64")
            elif col.type == "integer":
                typed[col.name] = v.astype("Int64")
            elif col.type == "number":
                typed[col.name] = v.astype("Float64")
            elif col.type == "date":
                typed[col.name] = pd.Series(
                    [d.date() if pd.notna(d) else None for d in v], index=v.index, dtype=object
                )
            else:
                typed[col.name] = v
        return pd.DataFrame(typed, index=found.index)


_local = threading.local()
#: Rows up to which a table is judged in one thread without DuckDB's optimizer: planning
#: a query of one vector, or handing it to a second thread, costs more than it saves (the
#: results are the same).
SMALL_ROWS = 2048


def run(compiled: Compiled, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The query over a table held in memory (text cells indexed by row number).

    One in-memory DuckDB per thread, kept: connecting costs more than judging a small file;
    a table of one vector (:data:`SMALL_ROWS`) is judged in one thread, without the
    optimizer.
    """
    if getattr(_local, "con", None) is None:
        import duckdb  # noqa: PLC0415 - loaded with the first table judged

        _local.con = duckdb.connect()
        _local.threads = _local.con.execute("SELECT current_setting('threads')").fetchone()[0]
        _local.large = True
    con = _local.con
    if (large := len(frame) > SMALL_ROWS) is not _local.large:
        con.execute("PRAGMA enable_optimizer" if large else "PRAGMA disable_optimizer")
        con.execute(f"SET threads = {int(_local.threads) if large else 1}")
        _local.large = large
    cells = pd.DataFrame(
        {name: frame[name].astype(object) if name in frame else "" for name in columns},
        index=frame.index,
    )
    compiled.ascii = not any(
        _FOREIGN_DIGIT.search(v) for c in columns for v in cells[c] if not v.isascii()
    )
    compiled.unique_holds = compiled.distinct_keys(cells)
    cells.insert(0, "row", frame.index.to_numpy(dtype="int64"))
    text = ", ".join(f"CAST({quoted(n)} AS VARCHAR) AS {quoted(n)}" for n in columns)
    source = f"(SELECT CAST(row AS BIGINT) AS row, {text} FROM cells_)"  # noqa: S608 - quoted names
    con.register("cells_", cells.reset_index(drop=True))
    try:
        found = con.execute(compiled.query(source)).df()
    finally:
        con.unregister("cells_")
    return found.set_index(pd.Index(found["row"].to_numpy(dtype="int64"), name="row"))
