"""The ledger judged, typed and written in one columnar pass, when the file allows it.

A ledger of a million lines is almost always clean: a machine export, one line per
posting. For such a file DuckDB types the lines and writes them to Parquet for the ledger store
(:mod:`oneitu_etl.warehouse.ledger_store`) in one pass, each value NULL where a rule on
its cell fails; the Parquet footer's statistics then tell the row rules, one more pass
the allowed codes and uniqueness, one aggregate the L1/L2 sums. No Python object per
line.

This is a fast way to a verdict that is only ever "clean". Whenever the file is not
surely judged the same way by :func:`.rows.check_table` — it is not plain ASCII UTF-8
without quotes, its header is not exactly the contract's, a line is not a row, a cell is
padded, a declared rule is one this module does not translate, or *any* row fails *any*
rule — :func:`judge_columnar` answers ``None`` and the caller judges the file with the
streamed row checker (:func:`.stream.check_streamed`), which writes the messages. So a
file with a problem is reported exactly as before, and a clean file gives the same
rows, sums and results either way (``tests/validate/test_columnar.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from oneitu_etl.contract import Kind, TableSpec
from oneitu_etl.issues import DeliveryRejected
from oneitu_etl.sources.chunks import CsvScan, Opener, read_header
from oneitu_etl.validate.rows import Context, cents_name
from oneitu_etl.validate.stream import _AMOUNT, _ISO_DATE, _UNIQUE, StreamedTable, _Judge
from oneitu_etl.validate.suites import Rule
from oneitu_etl.warehouse import ledger_store
from oneitu_etl.warehouse.ledger_store import literal

log = logging.getLogger(__name__)

#: Rule types translated to SQL; any other sends the file the exact way.
_TRANSLATED = frozenset(
    {
        "expect_column_to_exist",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        *_UNIQUE,
    }
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Sql:
    """The SQL of one ledger's columnar judgement, from its declaration and rules.

    Every fast rule reads one column, so each stored value is *guarded*: NULL where its
    cell is empty, does not parse or is padded. The file is clean when the Parquet
    file's statistics show no NULL in any column (every column of a translated
    declaration is required), the ranges hold on each column's minimum and maximum,
    every line was a row, and one pass over the stored lines finds no code outside its
    sets (among each column's distinct values) and no key twice.
    """

    def __init__(self, judge: _Judge):
        self.judge = judge
        self.columns = judge.declaration.columns
        self.rules = judge.fast.rules if judge.fast else ()

    def stored(self, column: str) -> str:
        """The stored column of a declared column."""
        col = self.judge.declaration.column(column)
        return cents_name(column) if col.type in ("amount", "signed_amount") else column

    def typed(self) -> dict[str, str]:
        """Stored column -> guarded expression over the raw text."""
        exprs: dict[str, str] = {}
        coded = set(self.in_set_columns())
        for col in self.columns:
            c = _quoted(col.name)
            if col.type in ("amount", "signed_amount"):
                exprs[self.stored(col.name)] = (
                    f"CASE WHEN regexp_full_match({c}, {literal(_AMOUNT)}) "
                    f"THEN CAST(CAST({c} AS DECIMAL(15, 2)) * 100 AS BIGINT) END"
                )
            elif col.type == "date":
                exprs[col.name] = (
                    f"CASE WHEN regexp_full_match({c}, {literal(_ISO_DATE)}) "
                    f"AND NOT starts_with({c}, '0000') THEN TRY_CAST({c} AS DATE) END"
                )
            elif col.name in coded:  # checked after writing: a padded value is in no set
                exprs[col.name] = c
            else:  # starts or ends with a space or a control character: a superset of
                # what str.strip() removes from ASCII text (the exact way decides)
                exprs[col.name] = f"CASE WHEN ascii({c}) > 32 AND ascii({c}[-1:]) > 32 THEN {c} END"
        return exprs

    def in_set_columns(self) -> list[str]:
        """The columns with allowed sets, checked after writing (:meth:`outside_sets`).

        Not guards in the writing pass: DuckDB 2.0 writes the lines out of order when the
        ``SELECT`` of a ``COPY`` holds an ``IN`` list (or ``list_contains``) on two
        threads, and row numbers follow from the order
        (``tests/validate/test_columnar.py`` checks the order on 800,000 lines).
        """
        return sorted(
            {r.column for r in self.rules if r.type == "expect_column_values_to_be_in_set"}
        )

    def outside_sets(self, present: dict[str, list[str]]) -> bool:
        """Whether a value present in a column (its distinct values) is outside a set."""
        for rule in self.rules:
            if rule.type == "expect_column_values_to_be_in_set":
                allowed = set(map(str, rule.kwargs["value_set"]))
                if any(v not in allowed for v in present[rule.column]):
                    return True
        return False

    def clean(self, groups: list[tuple]) -> bool:
        """Whether the written statistics show every row passing every rule.

        Args:
            groups: The Parquet footer's statistics, one tuple per column and row group:
                (column, null count, minimum, maximum, minimum exact, maximum exact).
        """
        stats: dict[str, list[tuple]] = {}
        for column, *values in groups:
            stats.setdefault(column, []).append(tuple(values))
        for col in self.columns:
            values = stats.get(self.stored(col.name))
            if not values or any(nulls != 0 for nulls, *_ in values):
                return False
        for rule in self.rules:
            if rule.type == "expect_column_values_to_be_between" and not self._in_range(
                rule, stats[self.stored(rule.column)]
            ):
                return False
        return True

    def _in_range(self, rule: Rule, groups: list[tuple]) -> bool:
        if not all(low_exact and high_exact for *_, low_exact, high_exact in groups):
            return False
        k = rule.kwargs
        col = self.judge.declaration.column(rule.column)
        lows = [low for _, low, _, _, _ in groups]
        highs = [high for _, _, high, _, _ in groups]
        if col.type == "date":  # ISO dates of four-digit years compare as text
            low, high = min(lows), max(highs)
            bounds = k.get("min_value"), k.get("max_value")
            return (bounds[0] is None or low >= _day(bounds[0])) and (
                bounds[1] is None or high <= _day(bounds[1])
            )
        # amounts compared in CHF as floats, as pandas compares (cents / 100 is the double
        # nearest the delivered two-decimal text, as float() is)
        low, high = min(map(int, lows)) / 100, max(map(int, highs)) / 100
        if k.get("min_value") is not None and low < float(k["min_value"]):
            return False
        return not (k.get("max_value") is not None and high > float(k["max_value"]))


def _day(value: object) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)[:10]


def _unsupported(judge: _Judge) -> str | None:
    """Why this declaration cannot be judged in SQL, or ``None``."""
    if judge.fast is None:
        return "a declared rule beyond the fast check"
    if any(c.nullable for c in judge.declaration.columns):  # NULL means "failed" here
        return "a nullable column"
    for rule in judge.rules:
        if rule.type not in _TRANSLATED:
            return f"rule {rule.type}"
        if rule.type in _UNIQUE and (rule.severity != "error" or rule.meta.get("row_condition")):
            return f"rule {rule.type} as declared"
    return None


def _scan_allows(scan: CsvScan, file: str) -> bool:
    """Whether the bytes are ones DuckDB reads line by line as the row checker reads rows."""
    if not (scan.plain and scan.ascii and scan.lines > 1):
        return False
    try:
        return scan.verdict(file) == "utf-8"
    except DeliveryRejected:
        return False


def judge_columnar(
    source: Path,
    opener: Opener,
    file: str,
    spec: TableSpec,
    ctx: Context,
    scan: CsvScan,
    work_dir: Path,
    *,
    connect: Callable[[Path], object] = ledger_store.duckdb_connection,
) -> StreamedTable | None:
    """Judge a ledger on disk in one columnar pass; ``None`` if it must be judged the exact way.

    Args:
        source: The spooled file (the very bytes hashed).
        opener: Opens the same bytes (for the header, read as the row checker reads it).
        file: Path relative to the landing root, for messages.
        spec: The ledger's contract table.
        ctx: Reference data, the year and the declarations.
        scan: The finished scan of the bytes.
        work_dir: Where the typed lines are written (``StreamedTable.parquet``) and DuckDB
            spills.

    Returns:
        A clean table: no issue, every rule's result empty, the L1/L2 sums in ``frame``
        and the typed lines in the Parquet file ``parquet``; or ``None``.
    """
    if not _scan_allows(scan, file):
        return None
    table = columnar_pass(source, opener, file, spec, ctx, work_dir, connect=connect)
    return accept(table, scan, file)


def accept(table: StreamedTable | None, scan: CsvScan, file: str) -> StreamedTable | None:
    """A columnar pass's table, if the scan of the same bytes confirms every line a row.

    Otherwise ``None``, and its Parquet file is removed.
    """
    if table is None:
        return None
    if _scan_allows(scan, file) and table.rows == scan.lines - 1:
        log.info("%s: %d rows judged and typed by DuckDB, all clean", file, table.rows)
        return table
    log.info("%s: judged row by row (a line is not a row)", file)
    if table.parquet is not None:
        table.parquet.unlink(missing_ok=True)
    return None


def columnar_pass(
    source: Path,
    opener: Opener,
    file: str,
    spec: TableSpec,
    ctx: Context,
    work_dir: Path,
    *,
    connect: Callable[[Path], object] = ledger_store.duckdb_connection,
) -> StreamedTable | None:
    """The DuckDB pass of :func:`judge_columnar`, before the scan of the bytes is known.

    It can run while the file is still being hashed and scanned; :func:`accept` then
    checks what only the scan tells (plain ASCII UTF-8, every line a row).
    """
    if spec.kind is not Kind.LEDGER:
        return None
    try:
        raw = read_header(opener, file, spec, "utf-8")
    except (DeliveryRejected, UnicodeDecodeError):
        return None
    if raw.issues or raw.header != list(spec.column_names):
        return None
    judge = _Judge(raw, spec, ctx, chunk_rows=1, capacity=1)
    if why := _unsupported(judge):
        log.info("%s: judged row by row (%s)", file, why)
        return None
    sql = _Sql(judge)
    out = work_dir / f"{source.name}.lines.parquet"
    con = connect(work_dir / "duckdb")
    import duckdb  # noqa: PLC0415 - loaded by connect() already

    try:
        columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in spec.column_names) + "}"
        reader = (
            f"read_csv({literal(source)}, header = true, auto_detect = false, "
            f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, null_padding = false)"
        )
        typed = sql.typed()
        # every line a row: row numbers follow from positions, not stored (the store's rule)
        stored = ", ".join(f"{typed[n]} AS {n}" for n in ledger_store.COLUMNS if n != "row_number")
        con.execute(f"COPY (SELECT {stored} FROM {reader}) TO {literal(out)} (FORMAT parquet)")  # noqa: S608 - quoted names, literals
        # the footer's statistics (COPY's RETURN_STATS gives them too, but then DuckDB
        # writes the lines out of order on several threads)
        footer = f"parquet_metadata({literal(out)})"
        groups = con.execute(
            "SELECT path_in_schema, stats_null_count, stats_min_value, stats_max_value, "  # noqa: S608 - a literal path
            f"min_is_exact, max_is_exact FROM {footer}"
        ).fetchall()
        lines = f"read_parquet({literal(out)})"
        rows = con.execute(f"SELECT count(*) FROM {lines}").fetchone()[0]  # noqa: S608
        clean = rows > 0 and sql.clean(groups)
        if clean:  # no NULL left: every key is given
            distinct = "".join(
                f", count(DISTINCT hash({', '.join(_quoted(sql.stored(c)) for c in r.columns)}))"
                for r in judge.rules
                if r.type in _UNIQUE
            )
            coded = sql.in_set_columns()
            codes = "".join(f", list(DISTINCT {_quoted(c)})" for c in coded)
            found = con.execute(f"SELECT count(*){codes}{distinct} FROM {lines}").fetchone()  # noqa: S608 - quoted names, literals
            present = dict(zip(coded, found[1 : 1 + len(coded)], strict=True))
            counts = found[1 + len(coded) :]
            clean = not sql.outside_sets(present) and all(n == rows for n in counts)
        keys, values = judge.sum_keys, judge.sum_values
        if clean:
            sums = con.execute(
                f"SELECT {', '.join(keys)}, "  # noqa: S608 - as above
                f"{', '.join(f'sum({v})::BIGINT AS {v}' for v in values)}, "
                f"count(*) AS postings FROM {lines} GROUP BY ALL ORDER BY ALL"
            ).df()
    except duckdb.Error as exc:  # a line DuckDB cannot read as a row: the exact way says why
        log.info("%s: judged row by row (%s)", file, str(exc).splitlines()[0])
        clean = False
    finally:
        con.close()
    if not clean:
        log.info("%s: judged row by row (not every row surely clean)", file)
        out.unlink(missing_ok=True)
        return None
    sums = sums.astype({v: "int64" for v in [*values, "postings"]})
    log.debug("%s: DuckDB pass, %d rows, all clean", file, rows)
    return StreamedTable(
        raw=raw,
        spec=spec,
        frame=sums,
        issues=[],
        bad_rows=set(),
        results={(r.name, r.column): [] for r in judge.rules},
        rules={(r.name, r.column): r for r in judge.rules},
        batch=None,
        rows=rows,
        clean=[True],
        parquet=out,
    )
