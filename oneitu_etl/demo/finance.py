"""The demo's Finance deliveries: a year's financial statements, drawn in integer cents so
that R1 to R3 hold exactly, and their workbook, byte-stable."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from oneitu_etl.demo.base import SP2020, SP2024

# Share of the Union budget held by each unit (the General Secretariat runs the common
# services: conferences, languages, IT, premises).
BUDGET_SHARES = {
    "GS": 0.50,
    "BR": 0.13,
    "TSB": 0.085,
    "BDT": 0.165,
    "RO-AFR": 0.025,
    "RO-AMS": 0.02,
    "RO-ARB": 0.018,
    "RO-ASP": 0.022,
    "RO-CIS": 0.015,
    "RO-EUR": 0.02,
}

# Expense lines of the statement of financial performance, in IPSAS proportions.
EXPENSE_SHARES = {
    "EXP_STAFF": 0.60,
    "EXP_TRAVEL": 0.05,
    "EXP_CONTRACTUAL": 0.13,
    "EXP_PREMISES": 0.07,
    "EXP_SUPPLIES": 0.03,
    "EXP_DEPRECIATION": 0.05,
    "EXP_OTHER": 0.07,
}

# Revenue lines: (low, high) in CHF.
REVENUE_RANGES = {
    "REV_ASSESSED": (128_000_000, 132_000_000),
    "REV_COST_RECOVERY": (20_000_000, 26_000_000),
    "REV_VOLUNTARY": (6_000_000, 10_000_000),
    "REV_INVESTMENT": (1_500_000, 3_500_000),
    "REV_OTHER": (1_000_000, 3_000_000),
}

LINE_LABELS = {
    "REV_ASSESSED": "Assessed contributions",
    "REV_COST_RECOVERY": "Cost recovery",
    "REV_VOLUNTARY": "Voluntary contributions",
    "REV_INVESTMENT": "Finance revenue",
    "REV_OTHER": "Other revenue",
    "EXP_STAFF": "Employee salaries and benefits",
    "EXP_TRAVEL": "Mission expenses",
    "EXP_CONTRACTUAL": "Contractual services",
    "EXP_PREMISES": "Rental and maintenance of premises and equipment",
    "EXP_SUPPLIES": "Equipment and supplies",
    "EXP_DEPRECIATION": "Depreciation and amortization",
    "EXP_OTHER": "Other expenses",
    "TOTAL_REVENUE": "Total revenue",
    "TOTAL_EXPENSES": "Total expenses",
}

_RO_2024 = {"TP-NET": 0.35, "TP-INC": 0.25, "TP-ENV": 0.10, "EN-REG": 0.30}
_RO_2020 = {"D.1": 0.10, "D.2": 0.35, "D.3": 0.20, "D.4": 0.30, "I.1": 0.05}

#: How each unit spreads its actual expenses over the strategic framework, per plan.
ALLOCATION_PROFILES: dict[str, dict[str, dict[str, float]]] = {
    SP2024: {
        "GS": {
            "EN-HRI": 0.28,
            "EN-MEM": 0.26,
            "EN-PIC": 0.10,
            "EN-RMO": 0.07,
            "EN-DNI": 0.06,
            "EN-ENV": 0.05,
            "TP-APP": 0.10,
            "TP-INC": 0.08,
        },
        "BR": {"TP-RAD": 0.72, "TP-RES": 0.05, "EN-MEM": 0.15, "EN-HRI": 0.08},
        "TSB": {"TP-STD": 0.63, "TP-APP": 0.10, "TP-RES": 0.07, "EN-MEM": 0.15, "EN-PIC": 0.05},
        "BDT": {
            "TP-NET": 0.28,
            "TP-INC": 0.24,
            "TP-ENV": 0.16,
            "TP-APP": 0.10,
            "TP-RES": 0.10,
            "TP-RAD": 0.02,
            "EN-PIC": 0.10,
        },
        "RO-AFR": {**_RO_2024, "TP-RES": 0.05},
        "RO-AMS": {**_RO_2024, "TP-RES": 0.08},
        "RO-ARB": {**_RO_2024, "TP-APP": 0.05},
        "RO-ASP": {**_RO_2024, "TP-RES": 0.10},
        "RO-CIS": dict(_RO_2024),
        "RO-EUR": {**_RO_2024, "TP-APP": 0.06},
    },
    SP2020: {
        "GS": {"E.1": 0.33, "E.2": 0.20, "E.3": 0.22, "E.4": 0.08, "E.5": 0.07, "I.1": 0.05},
        "BR": {"R.1": 0.58, "R.2": 0.20, "R.3": 0.12, "I.2": 0.04, "E.3": 0.06},
        "TSB": {
            "T.1": 0.52,
            "T.2": 0.10,
            "T.3": 0.08,
            "T.4": 0.07,
            "T.5": 0.05,
            "I.2": 0.06,
            "E.3": 0.12,
        },
        "BDT": {"D.1": 0.15, "D.2": 0.28, "D.3": 0.20, "D.4": 0.25, "I.3": 0.05, "I.4": 0.07},
        "RO-AFR": {**_RO_2020, "I.4": 0.05},
        "RO-AMS": dict(_RO_2020),
        "RO-ARB": {**_RO_2020, "T.2": 0.04},
        "RO-ASP": dict(_RO_2020),
        "RO-CIS": dict(_RO_2020),
        "RO-EUR": {**_RO_2020, "I.3": 0.04},
    },
}


def cents_text(cents: int) -> str:
    """Format non-negative integer cents as a CHF amount with two decimals (``1234.05``)."""
    if cents < 0:
        raise ValueError(f"negative amount: {cents}")
    return f"{cents // 100}.{cents % 100:02d}"


def split_cents(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` cents in proportion to ``weights``, exactly (largest remainder).

    Args:
        total: Non-negative amount in cents.
        weights: Non-negative weights, not all zero.

    Returns:
        Non-negative integer parts, one per weight, that sum to ``total``.
    """
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(r) for r in raw]
    short = total - sum(parts)
    by_remainder = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[:short]:
        parts[i] += 1
    return parts


def _jittered(rng: random.Random, weights: Iterable[float], spread: float) -> list[float]:
    return [w * (1 + rng.uniform(-spread, spread)) for w in weights]


def chf_amount(rng: random.Random, low: float, high: float) -> int:
    """A random amount in cents between ``low`` and ``high`` CHF."""
    return rng.randint(int(low * 100), int(high * 100))


@dataclass(frozen=True)
class Statements:
    """A year's financial statements, amounts in cents."""

    performance: list[tuple[str, str, int]]  # (line_code, line_type, cents)
    budget: list[tuple[str, int, int, int]]  # (org_unit, approved, final, actual)
    allocation: list[tuple[str, str, int]]  # (org_unit, strategic_code, cents)


def build_statements(rng: random.Random, plan: str) -> Statements:
    """Draw a year's statements that reconcile exactly (R1, R2, R3).

    Args:
        rng: The year's random generator.
        plan: Strategic Plan cycle whose codes the allocation uses.

    Returns:
        The three tables, in cents.
    """
    approved_total = chf_amount(rng, 176_000_000, 180_000_000)
    units = list(BUDGET_SHARES)
    approved = split_cents(approved_total, _jittered(rng, BUDGET_SHARES.values(), 0.06))
    budget: list[tuple[str, int, int, int]] = []
    for unit, approved_cents in zip(units, approved, strict=True):
        final = round(approved_cents * (1 + rng.uniform(-0.03, 0.02)))
        actual = round(final * rng.uniform(0.85, 0.98))
        budget.append((unit, approved_cents, final, actual))
    total_expenses = sum(row[3] for row in budget)

    allocation: list[tuple[str, str, int]] = []
    for unit, _, _, actual in budget:
        profile = ALLOCATION_PROFILES[plan][unit]
        parts = split_cents(actual, _jittered(rng, profile.values(), 0.2))
        allocation.extend((unit, code, part) for code, part in zip(profile, parts, strict=True))

    revenue = [(code, chf_amount(rng, low, high)) for code, (low, high) in REVENUE_RANGES.items()]
    expenses = split_cents(total_expenses, _jittered(rng, EXPENSE_SHARES.values(), 0.08))
    performance = [(code, "revenue", cents) for code, cents in revenue]
    performance += [
        (code, "expense", cents) for code, cents in zip(EXPENSE_SHARES, expenses, strict=True)
    ]
    performance.append(("TOTAL_REVENUE", "total", sum(cents for _, cents in revenue)))
    performance.append(("TOTAL_EXPENSES", "total", total_expenses))
    return Statements(performance=performance, budget=budget, allocation=allocation)


def workbook_bytes(
    statements: Statements,
    year: int,
    extra_sheets: dict[str, tuple[list[str], list[list[object]]]] | None = None,
) -> bytes:
    """The bytes of ``financial_statements.xlsx``, byte-stable.

    Amounts are numbers with at most two decimals; the document properties and the zip
    entries carry a fixed time (31 January of the following year), so the same statements
    give the same bytes.

    Args:
        statements: The year's statements.
        year: The financial year.
        extra_sheets: (v2) Further sheets, name -> (header, rows), after the three.

    Returns:
        The workbook's content.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "performance"
    ws.append(["line_code", "line_label", "line_type", "amount_chf"])
    for code, line_type, cents in statements.performance:
        ws.append([code, LINE_LABELS[code], line_type, cents / 100])
    ws = wb.create_sheet("budget_comparison")
    ws.append(["org_unit", "approved_budget_chf", "final_budget_chf", "actual_chf"])
    for unit, approved, final, actual in statements.budget:
        ws.append([unit, approved / 100, final / 100, actual / 100])
    ws = wb.create_sheet("expense_allocation")
    ws.append(["org_unit", "strategic_code", "expense_chf"])
    for unit, code, cents in statements.allocation:
        ws.append([unit, code, cents / 100])
    for name, (header, rows) in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for row in [header, *rows]:
            ws.append(row)

    stamp = datetime(year + 1, 1, 31, 12, 0, 0)
    wb.properties.creator = "ITU Financial Resources Management (demo)"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return _restamp_zip(raw.getvalue(), stamp)


def _restamp_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite a zip archive with every entry dated ``stamp`` (zip stores local time)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
