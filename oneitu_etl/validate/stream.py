"""The row checker for a table too large to hold: slice by slice, same verdicts.

:func:`check_streamed` judges a CSV delivery (Finance's ledger: millions of lines) in
slices of rows read by :mod:`oneitu_etl.sources.chunks`, and returns a
:class:`StreamedTable` whose issues, failing rows per rule and sums are exactly what
:func:`.rows.check_table` finds on the whole file. Memory stays flat: no slice is kept.

Each slice takes one of two ways:

- **clean**: the declared rules the fast check understands (not null, allowed codes,
  amount and date formats, ranges, patterns), evaluated vectorised on the raw text,
  all pass. Nothing to report; the slice is typed directly (amounts to integer cents).
- otherwise, the slice goes through :func:`.rows.check_table` itself (stripped, blank
  rows dropped), which writes the messages. A declaration with a rule the fast check
  does not understand sends every slice this way: slower, never different.

Uniqueness spans slices, so it is judged once for the whole file: a 64-bit hash of
every key (eight bytes a row, not the key itself), candidates confirmed on the text
re-read from the file, reported as the whole-file checker reports them (the later
occurrences, "first given at row N"). The table-level rules (L1/L2) need only sums:
each slice is summed by the keys the declaration's reconciliation rules group by.

The loader re-reads the file (:meth:`StreamedTable.typed_chunks`) once the whole group
is known to be clean, so that a blocked group never touches the warehouse.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from oneitu_etl.contract import TableSpec
from oneitu_etl.issue_text import say
from oneitu_etl.issues import DeliveryRejected, Issue
from oneitu_etl.sources.chunks import CsvScan, NotPlain, Opener, iter_chunks, read_header
from oneitu_etl.sources.files import RawTable
from oneitu_etl.validate.rows import (
    DEFAULT_EXPECTATIONS,
    CheckedTable,
    Context,
    cents_name,
    check_table,
)
from oneitu_etl.validate.suites import (
    TABLE_LEVEL,
    Declaration,
    Rule,
    load_declarations,
    resolve_rules,
)

log = logging.getLogger(__name__)

#: Rows per slice: about 60 MB of text cells at the ledger's width.
CHUNK_ROWS = 100_000
_UNIQUE = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
#: An amount below CHF 10^12 (12 digits): it converts to cents exactly through a float.
_AMOUNT = r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,2})?"
_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: Joins a column's values for one regular expression: a NUL byte rejects a CSV file.
_SEP = "\x00"
#: A value with whitespace ``str.strip()`` would remove (``\s`` is ``str.isspace``).
_PADDED = re.compile(r"\x00\s|\s\x00")
_SPACE = re.compile(r"\s")
_FAST_TYPES = frozenset({"text", "code", "amount", "signed_amount", "date"})


@dataclass
class StreamedTable(CheckedTable):
    """A table judged slice by slice (see the module's docstring).

    ``frame`` holds the table's sums by the reconciliation keys (enough for L1/L2) and
    the rows of each key (``postings``), not its rows; :meth:`typed_chunks` re-reads the
    rows for loading.

    Attributes:
        rows: Rows judged (blank rows left out).
        clean: For every slice, whether it took the clean way.
    """

    rows: int = 0
    clean: list[bool] = field(default_factory=list)
    reread: Callable[[], Iterator[tuple[pd.DataFrame, bool]]] | None = None
    #: The typed lines, already written for the ledger store (by the columnar judge,
    #: :mod:`.columnar`); ``None``: :meth:`typed_chunks` re-reads them.
    parquet: Path | None = None

    @property
    def row_count(self) -> int:
        """Rows judged, as ``len(raw.frame)`` would be for the whole file."""
        return self.rows

    @property
    def good(self) -> pd.DataFrame:
        """Not available: the rows are streamed (:meth:`typed_chunks`)."""
        raise TypeError("a streamed table's rows are read with typed_chunks()")

    def typed_chunks(self) -> Iterator[pd.DataFrame]:
        """The typed rows of a table with no error, slice by slice, indexed by row number.

        Text as ``str``, amounts as ``*_cents`` integers, dates as ISO text
        (``YYYY-MM-DD``, the form the warehouse stores).

        Raises:
            ValueError: the table has errors (its rows are never loaded).
        """
        if self.bad_rows or self.reread is None:
            raise ValueError(f"{self.raw.file}: a table with errors is not loaded")
        yield from (frame for frame, _ in self.reread())


# -- the fast check ---------------------------------------------------------------------
@dataclass(frozen=True)
class _FastCheck:
    """The declared row rules, evaluated vectorised on a slice's raw text."""

    declaration: Declaration
    rules: tuple[Rule, ...]

    @classmethod
    def build(cls, declaration: Declaration, rules: list[Rule]) -> _FastCheck | None:
        """The fast check of a declaration, or ``None`` if a rule is beyond it."""
        if any(c.type not in _FAST_TYPES for c in declaration.columns):
            return None
        kept = []
        for rule in rules:
            if rule.type in ("expect_column_to_exist", "expect_column_values_to_be_of_type"):
                continue
            if rule.type in _UNIQUE:
                continue  # judged across slices
            if rule.severity != "error" or rule.meta.get("across_files"):
                return None
            if rule.type == "expect_column_values_to_be_between" and declaration.column(
                rule.column
            ).type not in ("amount", "signed_amount", "date"):
                return None
            if rule.type not in (
                "expect_column_values_to_not_be_null",
                "expect_column_values_to_be_in_set",
                "expect_column_values_to_match_regex",
                "expect_column_values_to_be_between",
            ):
                return None
            kept.append(rule)
        return cls(declaration, tuple(kept))

    def typed(self, chunk: pd.DataFrame) -> pd.DataFrame | None:
        """The slice typed, if every rule passes on every row; else ``None``.

        Formats are checked by one regular expression over a column's values joined
        (C speed, not one Python call per cell); ASCII digits only, so that anything
        unusual takes the checker's way.
        """
        if chunk.empty:
            return None
        values: dict[str, pd.Series] = {}
        in_set = {r.column for r in self.rules if r.type == "expect_column_values_to_be_in_set"}
        ranged = {r.column for r in self.rules if r.type == "expect_column_values_to_be_between"}
        for col in self.declaration.columns:
            text = chunk[col.name]
            formatted = col.type in ("amount", "signed_amount", "date")  # "" fails the format
            if not col.nullable and not formatted and col.name not in in_set:
                if not (text != "").all():
                    return None
            if col.type in ("amount", "signed_amount"):
                if not _all_match(text, _AMOUNT, col.nullable):
                    return None  # longer amounts take the checker's exact way
                if col.name in ranged:
                    values[col.name] = pd.to_numeric(text.where(text != ""), errors="coerce")
            elif col.type == "date":
                if not _all_match(text, _ISO_DATE, col.nullable):
                    return None
                when = pd.to_datetime(text.where(text != ""), format="%Y-%m-%d", errors="coerce")
                when = when.where(when.dt.year >= 1)  # as rows.py: no year 0
                if not (when.notna() | (text == "")).all():
                    return None
                values[col.name] = when
            elif col.name not in in_set and _padded(_SEP.join(text.tolist())):
                return None
        if all(c.nullable for c in self.declaration.columns) and (chunk == "").all(axis=1).any():
            return None  # a blank row: the whole-file reader drops it
        for rule in self.rules:
            if not _passes(rule, chunk, values):
                return None
        return self.convert(chunk, values)

    def convert(
        self, chunk: pd.DataFrame, values: Mapping[str, pd.Series] | None = None
    ) -> pd.DataFrame:
        """A clean slice typed: text as is, amounts in integer cents, dates as ISO text."""
        typed: dict[str, pd.Series] = {}
        for col in self.declaration.columns:
            text = chunk[col.name]
            if col.type in ("amount", "signed_amount"):
                value = (values or {}).get(col.name)
                if value is None:
                    value = pd.to_numeric(text.where(text != ""), errors="coerce")
                typed[cents_name(col.name)] = (value * 100).round().astype("Int64")
            elif col.nullable:
                typed[col.name] = text.where(text != "", None)
            else:
                typed[col.name] = text
        return pd.DataFrame(typed, index=chunk.index)


@lru_cache(maxsize=16)
def _column_pattern(value: str, nullable: bool) -> re.Pattern[str]:
    one = f"(?:{value})?" if nullable else f"(?:{value})"
    return re.compile(f"{one}(?:{_SEP}{one})*")


def _padded(joined: str) -> bool:
    """Whether a value of the joined column starts or ends with whitespace."""
    if not _SPACE.search(joined):  # the usual case: no whitespace at all
        return False
    return bool(_PADDED.search(joined) or joined[:1].isspace() or joined[-1:].isspace())


def _all_match(text: pd.Series, value: str, nullable: bool) -> bool:
    """Whether every value of ``text`` fully matches ``value``: one match over them all."""
    return _column_pattern(value, nullable).fullmatch(_SEP.join(text.tolist())) is not None


def _passes(rule: Rule, chunk: pd.DataFrame, values: Mapping[str, pd.Series]) -> bool:
    k = rule.kwargs
    text = chunk[rule.column]
    if rule.type == "expect_column_values_to_be_in_set":
        inside = text.isin(k["value_set"])
        return bool(inside.all() or (inside | (text == "")).all())
    present = text != ""
    if rule.type == "expect_column_values_to_not_be_null":
        return bool(present.all())
    if rule.type == "expect_column_values_to_match_regex":
        return bool((text.str.contains(k["regex"], regex=True) | ~present).all())
    value = values[rule.column]
    bad = pd.Series(False, index=chunk.index)
    if k.get("min_value") is not None:
        bad |= (value < k["min_value"]).fillna(False)
    if k.get("max_value") is not None:
        bad |= (value > k["max_value"]).fillna(False)
    return not bool((bad & present).any())


# -- uniqueness across slices -------------------------------------------------------------
def _key_hashes(cells: pd.DataFrame, columns: tuple[str, ...]) -> tuple[np.ndarray, pd.Index]:
    """64-bit hashes of the (stripped) keys of the rows where every key cell is given."""
    keys = cells[list(columns)]
    present = (keys != "").all(axis=1).to_numpy()
    kept = keys[present]
    if len(columns) == 1:
        text = kept[columns[0]].to_numpy(dtype=object)
    else:  # a NUL byte never is in a CSV cell: a safe separator
        text = kept.astype(object).agg("\x00".join, axis=1).to_numpy(dtype=object)
    return pd.util.hash_array(text), kept.index


class _Keys:
    """The hashed keys of one uniqueness rule, eight bytes a row, kept sorted.

    Each slice's hashes are sorted and checked against the sorted hashes of the slices
    before (``searchsorted``), then merged in (timsort merges the two sorted runs in
    linear time with a buffer the size of the slice). Only the hash values seen twice
    are remembered; their rows are found by reading the file again, at the end.
    """

    def __init__(self, rule: Rule, capacity: int):
        self.rule = rule
        self.seen = np.empty(max(capacity, 1), dtype=np.uint64)  # pages used as filled
        self.used = 0
        self.twice: set[int] = set()

    def add(self, cells: pd.DataFrame) -> None:
        hashes, _ = _key_hashes(cells, self.rule.columns)
        if not len(hashes):
            return
        hashes.sort()
        repeated = hashes[1:][hashes[1:] == hashes[:-1]]
        earlier = self.seen[: self.used]
        at = np.searchsorted(earlier, hashes)
        inside = at < self.used
        hits = hashes[inside][earlier[at[inside]] == hashes[inside]]
        self.twice.update(int(h) for h in np.concatenate([repeated, hits]))
        end = self.used + len(hashes)
        if end > len(self.seen):  # more rows than the scan's bound: grow
            self.seen = np.resize(self.seen, max(end, 2 * len(self.seen)))
        self.seen[self.used : end] = hashes
        self.seen[:end].sort(kind="stable")
        self.used = end


def _later_occurrences(
    rule: Rule, texts: dict[int, tuple[str, ...]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(row, first row, key) of every later occurrence of a key, in row order."""
    first: dict[tuple[str, ...], int] = {}
    later = []
    for row in sorted(texts):
        key = texts[row]
        if key in first:
            later.append((row, first[key], key))
        else:
            first[key] = row
    return later


# -- the checker --------------------------------------------------------------------------
def _strip(chunk: pd.DataFrame, keep: set[int] | None = None) -> pd.DataFrame:
    """The slice's cells stripped, without its blank rows (but those in ``keep``)."""
    cells = chunk.apply(lambda column: column.str.strip())
    blank = (cells == "").all(axis=1)
    if keep:
        blank &= ~cells.index.isin(list(keep))
    return cells[~blank]


def _without_unique(declaration: Declaration) -> Declaration:
    kept = tuple(e for e in declaration.expectations if e.type not in _UNIQUE)
    return dataclasses.replace(declaration, expectations=kept)


def _sum_keys(declaration: Declaration) -> tuple[list[str], list[str]]:
    """The columns the declared table-level rules group by, and the amounts they sum."""
    keys: list[str] = []
    values: list[str] = []
    for e in declaration.expectations:
        if e.type in TABLE_LEVEL:
            keys += [k for k in e.meta.get("for_each", []) if k not in keys]
            column = cents_name(e.kwargs["column"])
            values += [column] if column not in values else []
    return keys, values


class _Judge:
    """State of one streamed judgement."""

    def __init__(
        self, raw: RawTable, spec: TableSpec, ctx: Context, chunk_rows: int, capacity: int
    ):
        self.raw, self.spec, self.chunk_rows = raw, spec, chunk_rows
        declarations = dict(ctx.declarations or load_declarations(DEFAULT_EXPECTATIONS))
        self.declaration = declarations[spec.kind]
        self.rules = resolve_rules(self.declaration, ctx.scope)
        self.fast = _FastCheck.build(self.declaration, self.rules)
        declarations[spec.kind] = _without_unique(self.declaration)
        self.ctx = dataclasses.replace(ctx, declarations=declarations)
        self.missing = [c.name for c in spec.columns if c.name not in raw.header]
        self.keys = [_Keys(r, capacity) for r in self.rules if r.type in _UNIQUE]
        self.sum_keys, self.sum_values = _sum_keys(self.declaration)

    def typed(
        self, chunk: pd.DataFrame, known_clean: bool | None = None
    ) -> tuple[pd.DataFrame | None, CheckedTable | None, pd.DataFrame]:
        """(typed rows if clean, else the slice checked; the stripped key cells)."""
        misfit = chunk.attrs.get("issues") or []  # rows that do not fit the header
        for name in self.missing:
            chunk[name] = ""
        typed = None
        if self.fast is not None and known_clean:
            return self.fast.convert(chunk), None, chunk
        if self.fast is not None and known_clean is None and not misfit:
            typed = self.fast.typed(chunk)
        if typed is not None:
            return typed, None, chunk
        cells = _strip(chunk, keep={i.row for i in misfit})
        raw = RawTable(
            self.raw.file, None, cells, self.raw.header, self.raw.encoding, issues=list(misfit)
        )
        checked = check_table(raw, self.spec, self.ctx)
        checked.issues = [i for i in checked.issues if i.rule != "not_empty"]
        return None, checked, cells


def check_streamed(
    opener: Opener,
    file: str,
    spec: TableSpec,
    ctx: Context,
    scan: CsvScan,
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> StreamedTable:
    """Judge a CSV delivery slice by slice, as :func:`.rows.check_table` judges it whole.

    Args:
        opener: Opens the file's bytes from the start (called once per pass).
        file: Path relative to the landing root, for messages.
        spec: Its contract table.
        ctx: Reference data, the year and the declarations.
        scan: The finished scan of the same bytes (encoding, plain or not).
        chunk_rows: Rows per slice.

    Raises:
        DeliveryRejected: the file cannot be read at all (same reasons and messages as
            :func:`.files.read_csv_table`).
    """
    try:
        return _check_streamed(opener, file, spec, ctx, scan, chunk_rows, plain=scan.plain)
    except NotPlain:  # a row does not fit the header: read record by record, to say which
        log.info("%s: a row does not fit the header; read record by record", file)
        return _check_streamed(opener, file, spec, ctx, scan, chunk_rows, plain=False)


def _check_streamed(
    opener: Opener,
    file: str,
    spec: TableSpec,
    ctx: Context,
    scan: CsvScan,
    chunk_rows: int,
    *,
    plain: bool,
) -> StreamedTable:
    """:func:`check_streamed`, reading the plain way (pandas' C parser) or not."""
    encoding = scan.verdict(file)
    try:
        raw = read_header(opener, file, spec, encoding)
    except DeliveryRejected:
        if not scan.plain:  # the whole-file reader meets a record it cannot read first
            _readable(opener, file, spec, encoding)
        raise
    judge = _Judge(raw, spec, ctx, chunk_rows, capacity=scan.line_ends + 1)
    issues: list[Issue] = list(raw.issues)
    results: dict[tuple[str, str | None], list[int]] = {(r.name, r.column): [] for r in judge.rules}
    rules = {(r.name, r.column): r for r in judge.rules}
    sums: list[pd.DataFrame] = []
    clean: list[bool] = []
    rows = 0
    for chunk in iter_chunks(opener, raw, plain=plain, chunk_rows=chunk_rows):
        typed, checked, cells = judge.typed(chunk)
        clean.append(checked is None)
        if checked is not None:
            issues += checked.issues
            for key, failed in checked.results.items():
                results.setdefault(key, []).extend(failed)
            rows += len(checked.raw.frame)
            frame = checked.frame
        else:
            rows += len(chunk)
            frame = typed
        for keys in judge.keys:
            keys.add(cells)
        if judge.sum_keys:
            grouped = frame.groupby(judge.sum_keys, sort=False)
            part = grouped[judge.sum_values].sum().assign(postings=grouped.size())
            sums.append(part.reset_index())
    issues += _uniqueness(judge, opener, raw, plain, issues, results)
    if rows == 0:
        issues.append(
            raw.issue(
                say("file_header_only"),
                rule="not_empty",
            )
        )
    order = {name: i for i, name in enumerate(spec.column_names)}
    issues.sort(key=lambda i: (i.row or 0, order.get(i.column or "", 99)))
    bad = {i.row for i in issues if i.is_error and i.row is not None}
    for key in results:
        results[key].sort()
    log.info("%s: %d rows in %d slices, %d clean", file, rows, len(clean), sum(clean))

    def reread() -> Iterator[tuple[pd.DataFrame, bool]]:
        again = iter_chunks(opener, raw, plain=plain, chunk_rows=chunk_rows)
        for chunk, was_clean in zip(again, clean, strict=True):
            yield _load_form(judge, chunk, was_clean), was_clean

    return StreamedTable(
        raw=raw,
        spec=spec,
        frame=_total(sums, judge),
        issues=issues,
        bad_rows=bad,
        results=results,
        rules=rules,
        batch=None,
        rows=rows,
        clean=clean,
        reread=reread,
    )


def _readable(opener: Opener, file: str, spec: TableSpec, encoding: str) -> None:
    """Raise the ``csv`` module's rejection if some record of the file cannot be read."""
    header = RawTable(file, None, pd.DataFrame(), [""], encoding)
    for _ in iter_chunks(opener, header, plain=False, chunk_rows=CHUNK_ROWS):
        pass


def _total(sums: list[pd.DataFrame], judge: _Judge) -> pd.DataFrame:
    """The sums of every slice added up; ``postings`` counts the rows of each key."""
    values = [*judge.sum_values, "postings"]
    if not sums:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in judge.sum_keys + values})
    total = pd.concat(sums, ignore_index=True).groupby(judge.sum_keys)[values].sum()
    return total.reset_index().astype({v: "int64" for v in values})


def _load_form(judge: _Judge, chunk: pd.DataFrame, was_clean: bool) -> pd.DataFrame:
    """A slice of a table with no error, typed for the warehouse."""
    typed, checked, _ = judge.typed(chunk, known_clean=was_clean)
    if typed is None:
        assert checked is not None
        typed = checked.good.copy()
        for col in judge.declaration.columns:
            if col.type == "date":
                typed[col.name] = typed[col.name].map(
                    lambda d: d.isoformat() if d is not None else None
                )
    return typed


def _uniqueness(
    judge: _Judge,
    opener: Opener,
    raw: RawTable,
    plain: bool,
    issues: list[Issue],
    results: dict[tuple[str, str | None], list[int]],
) -> list[Issue]:
    """The uniqueness rules over the whole file: issues for the later occurrences."""
    found: list[Issue] = []
    for keys in judge.keys:
        if not keys.twice:
            continue
        texts = _key_texts(opener, raw, plain, judge.chunk_rows, keys.rule.columns, keys.twice)
        rank = {(r.name, r.column): i for i, r in enumerate(judge.rules)}
        mine = rank[(keys.rule.name, keys.rule.column)]
        earlier = {
            (i.row, i.column)
            for i in issues
            if i.is_error and rank.get((i.rule, i.column), -1) < mine
        }
        for row, first, key in _later_occurrences(keys.rule, texts):
            results[(keys.rule.name, keys.rule.column)].append(row)
            if any((row, c) in earlier for c in keys.rule.columns):
                continue
            text = ", ".join(key)
            found.append(
                raw.issue(
                    say("duplicate", columns=" and ".join(keys.rule.columns), key=text, row=first),
                    row=row,
                    column=keys.rule.column,
                    value=key[keys.rule.columns.index(keys.rule.column)] or None,
                    rule=keys.rule.name,
                    severity=keys.rule.severity,
                )
            )
    return found


def _key_texts(
    opener: Opener,
    raw: RawTable,
    plain: bool,
    chunk_rows: int,
    columns: tuple[str, ...],
    hashes: set[int],
) -> dict[int, tuple[str, ...]]:
    """The stripped key cells of the rows whose key hash is one of ``hashes``, read again."""
    wanted = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    texts: dict[int, tuple[str, ...]] = {}
    for chunk in iter_chunks(opener, raw, plain=plain, chunk_rows=chunk_rows):
        cells = chunk[list(columns)].apply(lambda column: column.str.strip())
        hashed, rows = _key_hashes(cells, columns)
        hit = np.isin(hashed, wanted)
        if hit.any():
            picked = cells.loc[rows[hit]]
            for row, values in zip(picked.index, picked.itertuples(index=False), strict=True):
                texts[int(row)] = tuple(values)
    return texts
