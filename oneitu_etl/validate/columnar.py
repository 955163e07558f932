"""The ledger judged, typed and written in one columnar pass, when the file allows it.

A ledger of a million lines is almost always clean: a machine export, one line per
posting. For such a file the declared row rules are evaluated by DuckDB on the spooled
bytes in the same pass that types the lines and writes them to Parquet for the ledger
store (:mod:`oneitu_etl.warehouse.ledger_store`); uniqueness and the L1/L2 sums are then
two aggregates over that Parquet. No Python object per line.

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

_FORMATTED = frozenset({"amount", "signed_amount", "date"})
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
    """The SQL of one ledger's columnar judgement, from its declaration and rules."""

    def __init__(self, judge: _Judge):
        self.judge = judge
        self.columns = judge.declaration.columns

    def typed(self) -> dict[str, str]:
        """Stored column -> expression over the raw text (NULL where it does not parse)."""
        exprs: dict[str, str] = {}
        for col in self.columns:
            c = _quoted(col.name)
            if col.type in ("amount", "signed_amount"):
                exprs[cents_name(col.name)] = (
                    f"CASE WHEN regexp_full_match({c}, {literal(_AMOUNT)}) "
                    f"THEN CAST(CAST({c} AS DECIMAL(15, 2)) * 100 AS BIGINT) END"
                )
            elif col.type == "date":
                exprs[col.name] = (
                    f"CASE WHEN regexp_full_match({c}, {literal(_ISO_DATE)}) "
                    f"AND NOT starts_with({c}, '0000') THEN TRY_CAST({c} AS DATE) END"
                )
            else:
                exprs[col.name] = c
        return exprs

    def bad_row(self) -> str:
        """A condition, over the *stored* columns, true on a row that some rule fails.

        Text is stored as delivered; an amount or a date is NULL where the text is empty
        or does not parse, and neither is allowed in a column that is not nullable (a
        nullable amount or date is beyond this module: :func:`_unsupported`).
        """
        rules = self.judge.fast.rules if self.judge.fast else ()
        in_set = {r.column for r in rules if r.type == "expect_column_values_to_be_in_set"}
        bad: list[str] = []
        for col in self.columns:
            c = _quoted(self.stored(col.name))
            if not col.nullable:
                bad.append(f"{c} IS NULL")
            if col.type not in _FORMATTED and col.name not in in_set:
                # starts or ends with a space or a control character (a superset of what
                # str.strip() removes from ASCII text: the exact way decides)
                bad.append(f"ascii({c}) <= 32 OR ascii({c}[-1:]) <= 32")
        bad += [self._fails(rule) for rule in rules]
        # NULL where a cell is empty: an empty cell where none is allowed is a TRUE
        # condition of its own (IS NULL), and FILTER counts only TRUE
        return " OR ".join(f"({b})" for b in bad)

    def stored(self, column: str) -> str:
        """The stored column of a declared column."""
        col = self.judge.declaration.column(column)
        return cents_name(column) if col.type in ("amount", "signed_amount") else column

    def _fails(self, rule: Rule) -> str:
        k = rule.kwargs
        c = _quoted(self.stored(rule.column))
        if rule.type == "expect_column_values_to_not_be_null":
            return f"{c} IS NULL"
        if rule.type == "expect_column_values_to_be_in_set":
            values = ", ".join(literal(v) for v in sorted(map(str, k["value_set"])))
            return f"({c} IS NOT NULL AND {c} NOT IN ({values}))" if values else f"{c} IS NOT NULL"
        # between, on a date, or on an amount compared in CHF as floats, as pandas compares
        # (cents / 100 is the double nearest the delivered two-decimal text, as float() is)
        col = self.judge.declaration.column(rule.column)
        if col.type == "date":
            value = c
            low = k.get("min_value") and f"DATE {literal(_day(k['min_value']))}"
            high = k.get("max_value") and f"DATE {literal(_day(k['max_value']))}"
        else:
            value = f"({c} / 100.0)"
            low = k.get("min_value") is not None and repr(float(k["min_value"]))
            high = k.get("max_value") is not None and repr(float(k["max_value"]))
        parts = [f"{value} < {low}" if low else "", f"{value} > {high}" if high else ""]
        return "(" + " OR ".join(p for p in parts if p) + ")" if any(parts) else "false"


def _day(value: object) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)[:10]


def _unsupported(judge: _Judge) -> str | None:
    """Why this declaration cannot be judged in SQL, or ``None``."""
    if judge.fast is None:
        return "a declared rule beyond the fast check"
    if any(c.nullable and c.type in _FORMATTED for c in judge.declaration.columns):
        return "a nullable amount or date"
    if all(c.nullable for c in judge.declaration.columns):
        return "every column nullable (blank rows)"
    for rule in judge.rules:
        if rule.type not in _TRANSLATED:
            return f"rule {rule.type}"
        if rule.type in _UNIQUE and (rule.severity != "error" or rule.meta.get("row_condition")):
            return f"rule {rule.type} as declared"
    return None


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
    if spec.kind is not Kind.LEDGER:
        return None
    if not (scan.plain and scan.ascii and scan.lines > 1):
        return None
    try:
        if scan.verdict(file) != "utf-8":
            return None
        raw = read_header(opener, file, spec, "utf-8")
    except DeliveryRejected:
        return None
    if raw.issues or raw.header != list(spec.column_names):
        return None
    judge = _Judge(raw, spec, ctx, chunk_rows=1, capacity=1)
    if why := _unsupported(judge):
        log.info("%s: judged row by row (%s)", file, why)
        return None
    sql = _Sql(judge)
    expected = scan.lines - 1
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
        con.execute(
            f"COPY (SELECT {stored} FROM {reader}) TO {literal(out)} (FORMAT parquet)"  # noqa: S608 - quoted names, literals
        )
        lines = f"read_parquet({literal(out)})"
        unique = [r for r in judge.rules if r.type in _UNIQUE]
        distinct = "".join(
            f", count(*) FILTER ({' AND '.join(f'{_quoted(c)} IS NOT NULL' for c in r.columns)}) "
            f"- count(DISTINCT hash({', '.join(_quoted(c) for c in r.columns)}))"
            for r in unique
        )
        rows, bad, *duplicates = con.execute(
            f"SELECT count(*), count(*) FILTER ({sql.bad_row()}){distinct} FROM {lines}"  # noqa: S608 - as above
        ).fetchone()
        clean = rows == expected and not (bad or any(duplicates))
        if clean:
            keys, values = judge.sum_keys, judge.sum_values
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
    log.info("%s: %d rows judged and typed by DuckDB, all clean", file, rows)
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
