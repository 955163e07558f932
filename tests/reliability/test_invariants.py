"""Invariants of the published figures under random valid deliveries (Hypothesis).

Each example is a valid year built at random: revenue and expense lines, units with
budgets and allocations to strategic codes (reconciled to the cent by construction:
every unit's ``actual_chf`` is the sum of its allocations, ``TOTAL_EXPENSES`` the sum of
the actuals, split over random expense lines) and activity files whose titles may hold
any text (quotes, commas, line breaks, accents, CJK). It is written as CSV files to a
landing zone, loaded by stage 1 (``pipeline.ingest``) into a SQLite warehouse of its own,
and the report's figures are computed by the marts (``marts.report_figures``, what
stage 3 puts in ``report_<Y>.json``). Then a random subset of the files is delivered
again, each in a random form that carries the same data: the same bytes, UTF-8 with a
BOM, Windows-1252, CRLF line ends, columns in another order, or the three statement CSVs
replaced by the workbook. Properties:

- R1-R3: the year is not blocked, every reconciliation entry passed, and the rules hold
  on the published figures themselves (revenue lines sum to ``totals.revenue``, expense
  lines and the units' actuals and all allocations to ``totals.expenses``, each unit's
  allocations to its actual);
- attribution: every CHF of ``TOTAL_EXPENSES`` is attributed to exactly one (org unit,
  strategic code): ``expenses_by_org_unit`` holds exactly the delivered pairs with their
  amounts, to the cent, and sums to the total;
- re-delivery: the figures after the re-delivery equal the figures before, except the
  list of deliveries (hashes, encodings and arrival times of the re-delivered files).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests_support import ACTIVITY_HEADER

from oneitu_etl import marts, pipeline, warehouse
from oneitu_etl.reference import load_reference
from oneitu_etl.settings import Settings

YEAR = 2024
T0 = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=1)
REFERENCE = load_reference()
UNITS = tuple(REFERENCE.org_units)
CODES = (
    "TP-RAD", "TP-STD", "TP-NET", "TP-APP", "TP-ENV", "TP-INC", "TP-RES",
    "EN-HRI", "EN-RMO", "EN-PIC", "EN-ENV", "EN-DNI", "EN-REG", "EN-MEM",
)  # fmt: skip
REVENUE_LINES = (
    "REV_ASSESSED",
    "REV_COST_RECOVERY",
    "REV_VOLUNTARY",
    "REV_INVESTMENT",
    "REV_OTHER",
)
EXPENSE_LINES = (
    "EXP_STAFF", "EXP_TRAVEL", "EXP_CONTRACTUAL", "EXP_PREMISES", "EXP_SUPPLIES",
    "EXP_DEPRECIATION", "EXP_OTHER",
)  # fmt: skip
OUTPUT_TYPES = ("meeting", "conference", "workshop", "training", "publication", "project")
STATUSES = ("planned", "ongoing", "completed", "cancelled")
FORMS = ("same", "bom", "cp1252", "crlf", "reordered")
cents = st.integers(min_value=0, max_value=50_000_000_000)  # up to CHF 500 million
title = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
        | st.sampled_from(["\n", '"', ",", "'", "é", "中"]),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["'); DROP TABLE deliveries;--", '=HYPERLINK("x")', "<b>x</b>"]),
).filter(lambda t: t.strip() != "")


def _split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@st.composite
def years(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    """A valid year as tables of text: ``{csv path: [header, *rows]}``."""
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=6, unique=True))
    budget, allocation = [], []
    for i, unit in enumerate(units):
        codes = draw(
            st.lists(st.sampled_from(CODES), min_size=int(i == 0), max_size=4, unique=True)
        )
        amounts = [draw(cents) for _ in codes]
        allocation += [[unit, code, amount] for code, amount in zip(codes, amounts, strict=True)]
        budget.append([unit, draw(cents), draw(st.one_of(st.just(0), cents)), sum(amounts)])
    total = sum(row[3] for row in budget)
    expense_lines = draw(st.lists(st.sampled_from(EXPENSE_LINES), min_size=1, unique=True))
    revenue_lines = draw(st.lists(st.sampled_from(REVENUE_LINES), min_size=1, unique=True))
    revenues = [draw(cents) for _ in revenue_lines]
    performance = [
        *([c, f"label {c}", "revenue", a] for c, a in zip(revenue_lines, revenues, strict=True)),
        ["TOTAL_REVENUE", "Total revenue", "total", sum(revenues)],
        *(
            [c, f"label {c}", "expense", a]
            for c, a in zip(expense_lines, _split(draw, total, len(expense_lines)), strict=True)
        ),
        ["TOTAL_EXPENSES", "Total expenses", "total", total],
    ]
    activities = []
    for n in range(draw(st.integers(0, 6))):
        participants = draw(st.one_of(st.none(), st.integers(0, 5000)))
        women = None if participants is None else draw(st.integers(0, participants))
        lead = draw(st.sampled_from(units))
        activities.append(
            [
                f"A-{n:03d}",
                lead,
                draw(st.sampled_from(["", *(u for u in UNITS if u != lead)])),
                draw(st.sampled_from(CODES)),
                draw(st.sampled_from(OUTPUT_TYPES)),
                draw(title),
                f"{YEAR}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}",
                "",
                draw(st.sampled_from(STATUSES)),
                "" if participants is None else participants,
                "" if women is None else women,
                draw(st.sampled_from(["", 1, 194])),
                draw(st.one_of(st.just(""), cents.map(_chf))),
            ]
        )
    tables = {
        f"{YEAR}/financial_performance.csv": [
            ["line_code", "line_label", "line_type", "amount_chf"],
            *([c, label, kind, _chf(a)] for c, label, kind, a in performance),
        ],
        f"{YEAR}/budget_comparison.csv": [
            ["org_unit", "approved_budget_chf", "final_budget_chf", "actual_chf"],
            *([u, _chf(a), _chf(f), _chf(x)] for u, a, f, x in budget),
        ],
        f"{YEAR}/expense_allocation.csv": [
            ["org_unit", "strategic_code", "expense_chf"],
            *([u, c, _chf(a)] for u, c, a in allocation),
        ],
    }
    if activities:
        tables[f"{YEAR}/activities/activities.csv"] = [
            ACTIVITY_HEADER,
            *([str(v) for v in row] for row in activities),
        ]
    return tables


def _chf(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def _csv(rows: list[list[str]], line_end: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


def _write(landing: Path, rel: str, rows: list[list[str]], form: str = "same") -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if form == "reordered":
        order = list(reversed(range(len(rows[0]))))
        rows = [[row[i] for i in order] for row in rows]
    text = _csv(rows, "\r\n" if form == "crlf" else "\n")
    data = text.encode("utf-8")
    if form == "cp1252":
        try:
            data = text.encode("cp1252")
        except UnicodeEncodeError:
            form = "bom"  # not encodable in Windows-1252
        else:
            try:  # bytes that are valid UTF-8 are read as UTF-8 (contract, section 2)
                form = "bom" if data.decode("utf-8") != text else form
            except UnicodeDecodeError:
                pass
    if form == "bom":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    path.write_bytes(data)


def _write_workbook(landing: Path, tables: dict[str, list[list[str]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, name in (
        ("performance", "financial_performance.csv"),
        ("budget_comparison", "budget_comparison.csv"),
        ("expense_allocation", "expense_allocation.csv"),
    ):
        header, *rows = tables[f"{YEAR}/{name}"]
        ws = book.create_sheet(sheet)
        ws.append(header)
        for row in rows:
            ws.append(
                [float(v) if h.endswith("_chf") else v for h, v in zip(header, row, strict=True)]
            )
        (landing / str(YEAR) / name).unlink()
    book.save(landing / str(YEAR) / "financial_statements.xlsx")


def _figures(settings: Settings, now: dt.datetime) -> dict:
    result = pipeline.ingest(settings, YEAR, now=now)
    assert result.blocking == [], [i.line() for i in result.blocking]
    engine = warehouse.connect(settings.db_url)
    try:
        with engine.connect() as conn:
            return marts.report_figures(conn, YEAR, REFERENCE, settings.tolerance_cents)
    finally:
        engine.dispose()


def _cents(chf: float) -> int:
    return round(chf * 100)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    tables=years(),
    again=st.data(),
)
def test_figures_reconcile_attribute_every_franc_once_and_survive_redelivery(
    tables: dict[str, list[list[str]]], again: st.DataObject
) -> None:
    base = Path(tempfile.mkdtemp(prefix="oneitu-invariants-"))
    try:
        landing = base / "landing"
        for rel, rows in tables.items():
            _write(landing, rel, rows)
        settings_ = Settings(landing=str(landing), out=base / "out")
        figures = _figures(settings_, T0)

        # R1-R3, as entries and on the published figures
        assert figures["reconciliation"] and all(c["passed"] for c in figures["reconciliation"])
        total = _cents(figures["totals"]["expenses"])
        assert sum(map(_cents, figures["revenue_by_line"].values())) == _cents(
            figures["totals"]["revenue"]
        )
        assert sum(map(_cents, figures["expenses_by_line"].values())) == total
        actuals = {u: _cents(row["actual"]) for u, row in figures["budget_execution"].items()}
        assert sum(actuals.values()) == total
        by_pair = {
            (unit, code): _cents(amount)
            for unit, codes in figures["expenses_by_org_unit"].items()
            for code, amount in codes.items()
        }
        for unit, actual in actuals.items():
            assert sum(a for (u, _c), a in by_pair.items() if u == unit) == actual, unit

        # every franc attributed once: exactly the delivered (unit, code) pairs and amounts
        delivered = {
            (u, c): _cents(float(a)) for u, c, a in tables[f"{YEAR}/expense_allocation.csv"][1:]
        }
        assert {k: v for k, v in by_pair.items() if v or k in delivered} == delivered
        assert sum(delivered.values()) == total
        assert sum(map(_cents, figures["expenses_by_strategic_code"].values())) == total

        # re-deliver a subset of the files, each in a form that carries the same data
        files = sorted(tables)
        chosen = again.draw(st.lists(st.sampled_from(files), unique=True), label="re-delivered")
        statements = [f for f in files if "/activities/" not in f]
        as_workbook = again.draw(st.booleans(), label="statements as workbook")
        for rel in chosen:
            form = again.draw(st.sampled_from(FORMS), label=rel)
            event(f"re-delivered as {form}")
            _write(landing, rel, tables[rel], form)
        event(f"statements as workbook: {as_workbook}")
        if as_workbook:
            _write_workbook(landing, {f: tables[f] for f in statements})
        after = _figures(settings_, T1)
        # what changes is the lineage: the files' hashes, encodings, arrival times, and
        # their number when three CSVs became one workbook
        lineage = [
            f["data_quality"].pop(k) for f in (figures, after) for k in ("deliveries", "files")
        ]
        assert after == figures
        current = [d for d in lineage[2] if d["status"] == "current"]
        assert len(current) == lineage[3] == lineage[1] - 2 * as_workbook
    finally:
        shutil.rmtree(base, ignore_errors=True)
