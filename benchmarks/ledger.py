"""A seeded synthetic landing zone whose expense ledger has millions of lines.

:func:`write_landing` writes, for one financial year, the demo landing zone of
:mod:`oneitu_etl.demo` (activities, indicators) with the financial statements as the three
CSVs, *derived from the ledger*: ``expense_allocation`` is the ledger summed per
(org_unit, strategic_code), the performance expense lines are the ledger summed per
line_code, each unit's ``actual_chf`` is the sum of its allocations. Every sum is exact
in cents, so L1, L2 and R1-R3 pass and the year is published.

The postings are realistic: org units in the Union's budget shares, strategic codes
in each unit's allocation profile of the year's Strategic Plan cycle, expense lines in
IPSAS proportions, log-normal amounts, dates spread over the year, and about 2% of
reversals (a later posting with the negated amount of an earlier one). The same
``lines`` and ``seed`` give the same bytes.

Run it alone: ``python benchmarks/ledger.py --lines 1000000 --out /tmp/landing``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import numpy as np

from oneitu_etl.demo import generate_landing, plan_of_year
from oneitu_etl.demo.finance import (
    ALLOCATION_PROFILES,
    BUDGET_SHARES,
    EXPENSE_SHARES,
    LINE_LABELS,
    REVENUE_RANGES,
)
from oneitu_etl.fileio import atomic_write_text

REVERSAL_SHARE = 0.02
HEADER = "posting_id,posting_date,org_unit,strategic_code,line_code,amount_chf\n"
_WRITE_ROWS = 200_000


def _cents_text(cents: np.ndarray) -> np.ndarray:
    """Signed cents as CHF text with two decimals (``-12.05``), vectorised."""
    sign = np.where(cents < 0, "-", "")
    absolute = np.abs(cents)
    whole = (absolute // 100).astype(str)
    frac = np.char.zfill((absolute % 100).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, whole), "."), frac)


def draw_postings(lines: int, year: int, seed: int) -> dict[str, np.ndarray]:
    """The ledger's columns, drawn with ``seed`` (codes as indexes into ``codes``).

    Returns:
        ``pair`` (index into the (unit, code) pairs), ``line`` (index into the expense
        lines), ``day`` (day of the year, 0-based), ``cents`` (signed) and the code lists
        ``pairs`` and ``lines``, in posting order (by date).
    """
    rng = np.random.default_rng(seed)
    profiles = ALLOCATION_PROFILES[plan_of_year(year)]
    pairs = [(unit, code) for unit, profile in profiles.items() for code in profile]
    weights = np.array(
        [BUDGET_SHARES[unit] * profiles[unit][code] for unit, code in pairs], dtype=float
    )
    line_codes = list(EXPENSE_SHARES)
    line_weights = np.array(list(EXPENSE_SHARES.values()), dtype=float)
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1

    reversals = int(lines * REVERSAL_SHARE)
    base = lines - reversals
    pair = rng.choice(len(pairs), size=base, p=weights / weights.sum())
    line = rng.choice(len(line_codes), size=base, p=line_weights / line_weights.sum())
    # a median posting of about CHF 150, a long tail of large contracts and salaries
    cents = np.maximum(np.round(rng.lognormal(np.log(7_000), 1.4, size=base)), 1).astype(np.int64)
    day = rng.integers(0, days, size=base)
    # reversals: a later posting cancelling an earlier one entirely (same unit, code, line)
    original = rng.choice(base, size=reversals, replace=False)
    later = np.minimum(day[original] + rng.integers(1, 30, size=reversals), days - 1)
    pair = np.concatenate([pair, pair[original]])
    line = np.concatenate([line, line[original]])
    cents = np.concatenate([cents, -cents[original]])
    day = np.concatenate([day, later])
    order = np.argsort(day, kind="stable")
    return {
        "pair": pair[order],
        "line": line[order],
        "day": day[order],
        "cents": cents[order],
        "pairs": np.array(pairs, dtype=object),
        "lines": np.array(line_codes, dtype=object),
    }


def write_ledger(path: Path, postings: dict[str, np.ndarray], year: int) -> None:
    """Write ``expense_ledger.csv`` (UTF-8, LF) in slices of rows."""
    pairs, line_codes = postings["pairs"], postings["lines"]
    units = np.array([u for u, _ in pairs], dtype=str)
    codes = np.array([c for _, c in pairs], dtype=str)
    lines = np.array(list(line_codes), dtype=str)
    dates = np.array(
        [(dt.date(year, 1, 1) + dt.timedelta(days=int(d))).isoformat() for d in range(366)]
    )
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        total = len(postings["cents"])
        for start in range(0, total, _WRITE_ROWS):
            stop = min(start + _WRITE_ROWS, total)
            ids = np.char.add(
                f"JE{year}-", np.char.zfill(np.arange(start + 1, stop + 1).astype(str), 8)
            )
            pair = postings["pair"][start:stop]
            columns = (
                ids,
                dates[postings["day"][start:stop]],
                units[pair],
                codes[pair],
                lines[postings["line"][start:stop]],
                _cents_text(postings["cents"][start:stop]),
            )
            handle.write("\n".join(",".join(row) for row in zip(*columns, strict=True)))
            handle.write("\n")
    tmp.replace(path)


def _cents(value: int) -> str:
    return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"


def write_statements(folder: Path, postings: dict[str, np.ndarray], seed: int) -> None:
    """The three statement CSVs, derived exactly from the ledger's sums."""
    rng = np.random.default_rng(seed + 1)
    pairs, line_codes = postings["pairs"], postings["lines"]
    pair_sums = np.zeros(len(pairs), dtype=np.int64)
    np.add.at(pair_sums, postings["pair"], postings["cents"])
    line_sums = np.zeros(len(line_codes), dtype=np.int64)
    np.add.at(line_sums, postings["line"], postings["cents"])

    allocation = ["org_unit,strategic_code,expense_chf"]
    actual: dict[str, int] = {}
    for (unit, code), cents in zip(pairs, pair_sums, strict=True):
        allocation.append(f"{unit},{code},{_cents(int(cents))}")
        actual[unit] = actual.get(unit, 0) + int(cents)
    budget = ["org_unit,approved_budget_chf,final_budget_chf,actual_chf"]
    for unit, spent in actual.items():
        final = int(spent / rng.uniform(0.85, 0.98))
        approved = int(final * rng.uniform(0.98, 1.03))
        budget.append(f"{unit},{_cents(approved)},{_cents(final)},{_cents(spent)}")
    revenue = {
        code: int(rng.integers(int(low * 100), int(high * 100)))
        for code, (low, high) in REVENUE_RANGES.items()
    }
    expenses = {code: int(c) for code, c in zip(line_codes, line_sums, strict=True)}
    performance = ["line_code,line_label,line_type,amount_chf"]
    for code, cents in revenue.items():
        performance.append(f"{code},{LINE_LABELS[code]},revenue,{_cents(cents)}")
    for code, cents in expenses.items():
        performance.append(f"{code},{LINE_LABELS[code]},expense,{_cents(cents)}")
    performance.append(f"TOTAL_REVENUE,Total revenue,total,{_cents(sum(revenue.values()))}")
    performance.append(f"TOTAL_EXPENSES,Total expenses,total,{_cents(sum(expenses.values()))}")
    for name, rows in (
        ("expense_allocation.csv", allocation),
        ("budget_comparison.csv", budget),
        ("financial_performance.csv", performance),
    ):
        atomic_write_text(folder / name, "\n".join(rows) + "\n")


def write_landing(root: Path, lines: int, *, year: int = 2024, seed: int = 9) -> Path:
    """Write a landing zone for ``year`` whose ledger has ``lines`` postings.

    Args:
        root: Landing zone root (replaced).
        lines: Ledger lines (postings).
        year: Financial year (it must lie in a shipped Strategic Plan cycle).
        seed: Seed of every draw.

    Returns:
        The path of ``expense_ledger.csv``.
    """
    root = Path(root)
    shutil.rmtree(root, ignore_errors=True)
    generate_landing(root, [year], seed=seed)
    folder = root / str(year)
    (folder / "financial_statements.xlsx").unlink()
    postings = draw_postings(lines, year, seed)
    write_statements(folder, postings, seed)
    ledger = folder / "expense_ledger.csv"
    write_ledger(ledger, postings, year)
    return ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--out", type=Path, required=True, help="landing zone root (replaced)")
    args = parser.parse_args()
    path = write_landing(args.out, args.lines, year=args.year, seed=args.seed)
    print(path)


if __name__ == "__main__":
    main()
