"""A seeded, deterministic demo landing zone with realistic ITU magnitudes.

:func:`generate_landing` writes everything the contract's section 2 describes for a set of
financial years: the financial statements workbook, one activity file per Sector (in the
three accepted encodings), the indicator values of each year and the indicator definitions.

All money is computed in integer cents, so the reconciliation rules R1 to R4 hold
exactly (v2 inputs: :mod:`.demo_v2`). The same ``seed`` and ``years`` give the same bytes,
workbooks included (their timestamps are fixed). A year uses the codes of the Strategic Plan
cycle whose framework file the project ships (``reference/data/strategic_framework_*.csv``):
2020-2023 for SP2020-2023, 2024-2027 for SP2024-2027.
"""

from __future__ import annotations

import csv
import io
import logging
import random
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.fileio import atomic_write_bytes
from oneitu_etl.reference import load_reference

log = logging.getLogger(__name__)


SP2020 = "SP2020-2023"
SP2024 = "SP2024-2027"

REGIONAL_OFFICES = ("RO-AFR", "RO-AMS", "RO-ARB", "RO-ASP", "RO-CIS", "RO-EUR")

#: Encoding of each Sector's activity file: exercises the three encodings the contract accepts.
ACTIVITY_ENCODINGS = {"SG": "utf-8-sig", "R": "utf-8", "T": "utf-8", "D": "cp1252"}

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


@dataclass(frozen=True)
class ActivityTemplate:
    """One kind of activity a unit runs every year.

    Attributes:
        units: Candidate lead units; one is drawn for each instance.
        output_type: Output type (contract 1.3).
        title: Title, in English or French; ``{year}`` is replaced by the year.
        codes: Strategic code per plan (``SP2020-2023``, ``SP2024-2027``).
        size: ``meeting``, ``conference``, ``training``, ``project`` or ``none`` (no
            participants: publications, Recommendations, filings).
        partners: Candidate partner units; some instances name one or two of them.
        copies: How many instances per year (regional variants, several sessions).
        status: A fixed status, for activities the demo must show (the near-duplicates).
    """

    units: tuple[str, ...]
    output_type: str
    title: str
    codes: dict[str, str]
    size: str = "meeting"
    partners: tuple[str, ...] = ()
    copies: int = 1
    status: str | None = None


def _t(
    units: str,
    output_type: str,
    title: str,
    code2020: str,
    code2024: str,
    size: str = "meeting",
    partners: str = "",
    copies: int = 1,
    status: str | None = None,
) -> ActivityTemplate:
    return ActivityTemplate(
        units=tuple(units.split()),
        output_type=output_type,
        title=title,
        codes={SP2020: code2020, SP2024: code2024},
        size=size,
        partners=tuple(partners.split()),
        copies=copies,
        status=status,
    )


_RO = " ".join(REGIONAL_OFFICES)

#: Activity catalogue per Sector. The two spectrum-management workshops (BR, BDT) and the two
#: standardization-gap workshops (TSB, RO-ARB) are near-duplicates on purpose.
# fmt: off
ACTIVITY_TEMPLATES: dict[str, list[ActivityTemplate]] = {
    "R": [
        _t("BR", "meeting", "Réunion de la Commission d'études 4 de l'UIT-R (services par satellite)", "R.1", "TP-RAD"),
        _t("BR", "meeting", "ITU-R Study Group 5 meeting (terrestrial services)", "R.2", "TP-RAD"),
        _t("BR", "meeting", "Radiocommunication Advisory Group (RAG) {year}", "R.2", "EN-MEM"),
        _t("BR", "training", "World Radiocommunication Seminar {year}", "R.3", "TP-RAD", "training", "BDT"),
        _t("BR", "workshop", "Regional workshop on spectrum management for Africa", "R.3", "TP-RAD", "training", "RO-AFR", status="completed"),
        _t("BR", "workshop", "Séminaire régional des radiocommunications pour les Amériques", "R.3", "TP-RAD", "training", "RO-AMS"),
        _t("BR", "filing", "Processing of satellite network filings (advance publication and coordination)", "R.1", "TP-RAD", "none"),
        _t("BR", "filing", "Notification and recording of terrestrial frequency assignments", "R.1", "TP-RAD", "none"),
        _t("BR", "publication", "Handbook on National Spectrum Management, {year} edition", "R.3", "TP-RAD", "none"),
        _t("BR", "project", "Spectrum monitoring support for emergency telecommunications", "R.2", "TP-RES", "project", "BDT RO-ASP"),
        _t("BR", "conference", "Conférence mondiale des radiocommunications — séance préparatoire", "I.2", "TP-RAD", "conference", "TSB"),
    ],
    "T": [
        _t("TSB", "meeting", "Réunion de la Commission d'études 13 de l'UIT-T (réseaux futurs)", "T.1", "TP-STD"),
        _t("TSB", "meeting", "ITU-T Study Group 17 meeting (security)", "T.1", "TP-RES"),
        _t("TSB", "meeting", "Telecommunication Standardization Advisory Group (TSAG) {year}", "T.5", "EN-MEM"),
        _t("TSB", "recommendation", "ITU-T Recommendations approved under the alternative approval process", "T.1", "TP-STD", "none", copies=2),
        _t("TSB", "workshop", "Workshop on bridging the standardization gap in the Arab region", "T.2", "TP-STD", "training", "RO-ARB", status="completed"),
        _t("TSB", "conference", "Kaleidoscope academic conference {year}", "I.2", "TP-STD"),
        _t("TSB", "conference", "AI for Good Global Summit {year}", "I.2", "TP-APP", "conference", "GS BDT BR"),
        _t("TSB", "workshop", "Atelier sur la sécurité des services financiers numériques", "T.4", "TP-APP", "training", "BDT RO-AFR"),
        _t("TSB", "training", "Training on conformance and interoperability testing", "T.2", "TP-STD", "training", "BDT RO-ASP"),
        _t("TSB", "publication", "ITU Operational Bulletin: international numbering resources", "T.3", "TP-STD", "none"),
        _t("TSB", "meeting", "World Standards Cooperation (WSC) meeting", "T.5", "EN-PIC"),
    ],
    "D": [
        _t("BDT", "workshop", "Regional Workshop on Spectrum Management in Africa", "R.3", "TP-RAD", "training", "RO-AFR", status="completed"),
        _t("RO-ARB", "workshop", "Workshop on Bridging the Standardization Gap for Arab States", "T.2", "TP-STD", "training", "TSB", status="completed"),
        _t("RO-AFR", "workshop", "Atelier régional — Afrique : stratégies nationales large bande", "D.2", "TP-NET", "training", "BDT"),
        _t("BDT", "project", "Connecting schools (Giga) country assessments", "D.4", "TP-INC", "project", "GS RO-AFR"),
        _t("BDT", "conference", "Global Symposium for Regulators (GSR-{yy})", "D.3", "TP-ENV", "conference"),
        _t("RO-AMS RO-ARB RO-CIS", "training", "Regional cyberdrill", "D.2", "TP-RES", "training", "TSB", copies=3),
        _t(_RO, "training", "Formation aux compétences numériques pour les femmes et les filles", "I.4", "TP-INC", "training", copies=2),
        _t(_RO, "other", "International Girls in ICT Day regional celebration", "I.4", "TP-INC", "meeting", "GS"),
        _t("BDT", "publication", "Measuring digital development: Facts and Figures {year}", "D.1", "TP-NET", "none"),
        _t("RO-ASP", "project", "Emergency telecommunications equipment deployment", "D.2", "TP-RES", "project", "BR"),
        _t("BDT RO-AFR", "project", "E-waste policy and regulatory support", "D.3", "TP-ENV", "project"),
        _t("RO-ASP", "project", "Smart Villages and Smart Islands initiative", "D.4", "TP-APP", "project"),
        _t("RO-ASP", "project", "Rural connectivity pilot in the Pacific islands", "D.2", "TP-NET", "project"),
        _t("BDT", "meeting", "Réunion de la Commission d'études 1 de l'UIT-D", "D.1", "TP-ENV"),
        _t("BDT", "meeting", "ITU-D Study Group 2 meeting", "D.2", "TP-NET"),
        _t(_RO, "training", "Digital transformation centres: basic digital skills", "D.4", "TP-INC", "training", copies=2),
        _t("RO-EUR RO-CIS", "meeting", "Regional Development Forum", "D.1", "TP-NET", copies=2),
        _t("RO-AMS", "workshop", "Réseau régional des régulateurs — Amériques", "D.3", "TP-ENV", "training"),
        _t("BDT", "other", "Partner2Connect pledge follow-up — pays les moins avancés", "I.1", "TP-NET", "meeting", "GS"),
        _t("RO-CIS", "publication", "Digital development country profile: CIS region", "D.1", "EN-REG", "none"),
        _t("BDT", "training", "ITU Academy e-learning: cybersecurity essentials", "D.2", "TP-RES", "training", "TSB"),
    ],
    "SG": [
        _t("GS", "meeting", "ITU Council {year}", "E.5", "EN-MEM"),
        _t("GS", "meeting", "Council Working Group on Financial and Human Resources", "E.1", "EN-RMO"),
        _t("GS", "conference", "WSIS Forum {year}", "I.1", "TP-APP", "conference", "TSB BDT"),
        _t("GS", "conference", "Partner2Connect Digital Coalition pledging event", "I.1", "TP-INC", "conference", "BDT"),
        _t("GS", "training", "Formation du personnel à la gestion axée sur les résultats", "E.1", "EN-HRI", "training"),
        _t("GS", "publication", "Report on the implementation of the Strategic Plan {year}", "E.5", "EN-MEM", "none"),
        _t("GS", "project", "Greening ITU operations: carbon footprint inventory", "E.1", "EN-ENV", "project"),
        _t("GS", "training", "Gender equality and inclusion training for staff", "I.4", "EN-DNI", "training"),
        _t("GS", "project", "Digital accessibility review of ITU websites", "I.3", "EN-DNI", "project", "TSB"),
        _t("GS", "meeting", "Resource mobilization round table with donors", "E.1", "EN-RMO", "meeting", "BDT"),
        _t("GS", "other", "Séance d'information des États Membres — Genève", "E.4", "EN-PIC"),
    ],
}
# fmt: on

# (participants low/high, countries low/high, cost CHF low/high, duration days low/high)
SIZES = {
    "meeting": ((40, 450), (20, 120), (20_000, 250_000), (2, 10)),
    "conference": ((600, 3_800), (90, 190), (400_000, 3_000_000), (3, 20)),
    "training": ((15, 120), (3, 40), (8_000, 90_000), (2, 5)),
    "project": ((20, 400), (1, 25), (60_000, 900_000), (60, 300)),
    "none": (None, None, (5_000, 120_000), (1, 200)),
}

ACTIVITY_COLUMNS = list(TABLES[Kind.ACTIVITIES].main_column_names)


@dataclass(frozen=True)
class IndicatorSpec:
    """A target indicator and its demo values.

    Attributes:
        row: The row of ``indicator_definitions.csv`` (contract 3.3), as text.
        values: Value per year; ``None`` is a blank value (no data).
        source: Source written beside each value.
        drift: Fraction of the planned yearly progress made in years without a stated value.
    """

    row: dict[str, str]
    values: dict[int, float | None]
    source: str
    drift: float = 1.0


def _indicator(
    code: str,
    strategic: str,
    name_en: str,
    name_fr: str,
    unit: str,
    direction: str,
    baseline: float,
    target: float,
    source: str,
    values: dict[int, float | None],
    drift: float = 1.0,
) -> IndicatorSpec:
    return IndicatorSpec(
        row={
            "indicator_code": code,
            "strategic_code": strategic,
            "name_en": name_en,
            "name_fr": name_fr,
            "unit": unit,
            "direction": direction,
            "baseline_year": "2023",
            "baseline_value": _number(baseline),
            "target_year": "2027",
            "target_value": _number(target),
            "source": source,
        },
        values=values,
        source=source,
        drift=drift,
    )


def _number(value: float) -> str:
    """Format an indicator number with one decimal (``67.0``), or as an integer if large."""
    return f"{value:.0f}" if abs(value) >= 100_000 else f"{value:.1f}"


#: Status in 2024 (contract 3.3): NET-USE at_risk, WOMEN-EVENTS on_track, ITUT-RECS achieved,
#: SAT-FILING-DAYS off_track, CIRT-COUNTRIES no_data, EWASTE-POLICY at_risk. NET-USE is ITU
#: Facts and Figures (67% of the world's population online in 2023, 68% in 2024).
INDICATORS = [
    _indicator(
        "NET-USE", "G1", "Individuals using the Internet", "Personnes utilisant l'Internet",
        "percent", "increase", 67.0, 72.0, "ITU Facts and Figures",
        {2023: 67.0, 2024: 68.0}, drift=0.8,
    ),
    _indicator(
        "WOMEN-EVENTS", "EN-DNI", "Share of women among participants in ITU events",
        "Part des femmes parmi les participants aux manifestations de l'UIT",
        "percent", "increase", 31.0, 40.0, "ITU gender dashboard",
        {2023: 31.0, 2024: 33.4}, drift=1.05,
    ),
    _indicator(
        "ITUT-RECS", "TP-STD", "ITU-T Recommendations approved in the year",
        "Recommandations UIT-T approuvées dans l'année",
        "count", "increase", 250.0, 300.0, "TSB",
        {2023: 262.0, 2024: 304.0}, drift=1.2,
    ),
    _indicator(
        "SAT-FILING-DAYS", "TP-RAD", "Average processing time of satellite network filings (days)",
        "Délai moyen de traitement des fiches de notification de réseaux à satellite (jours)",
        "count", "decrease", 150.0, 90.0, "BR",
        {2023: 152.0, 2024: 140.0}, drift=0.6,
    ),
    _indicator(
        "CIRT-COUNTRIES", "TP-RES", "Countries with a national CIRT",
        "Pays dotés d'une équipe nationale d'intervention en cas d'incident informatique (CIRT)",
        "count", "increase", 136.0, 150.0, "ITU Global Cybersecurity Index",
        {2023: 136.0, 2024: None}, drift=0.9,
    ),
    _indicator(
        "EWASTE-POLICY", "TP-ENV", "Countries with an e-waste policy, legislation or regulation",
        "Pays dotés d'une politique, d'une législation ou d'une réglementation sur les déchets "
        "d'équipements électriques et électroniques",
        "count", "increase", 81.0, 100.0, "Global E-waste Monitor",
        {2023: 81.0, 2024: 85.0}, drift=0.85,
    ),
]  # fmt: skip


def plan_of_year(year: int) -> str:
    """Name the Strategic Plan cycle that contains ``year``, from the framework files shipped.

    Raises:
        ValueError: No shipped framework covers the year.
    """
    cycle = load_reference().cycle_for(year)
    if cycle is None:
        raise ValueError(f"no strategic framework file covers {year}")
    return cycle.plan


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


def _chf(rng: random.Random, low: float, high: float) -> int:
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
    approved_total = _chf(rng, 176_000_000, 180_000_000)
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

    revenue = [(code, _chf(rng, low, high)) for code, (low, high) in REVENUE_RANGES.items()]
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


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str) -> bytes:
    buffer = io.StringIO()
    # Windows-1252 files come from Excel on Windows: CRLF line ends there, LF elsewhere.
    writer = csv.writer(buffer, lineterminator="\r\n" if encoding == "cp1252" else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def build_activities(rng: random.Random, year: int, plan: str) -> dict[str, list[list[str]]]:
    """Draw a year's activities, per Sector file.

    Args:
        rng: The year's random generator.
        year: The financial year.
        plan: Strategic Plan cycle whose codes the activities use.

    Returns:
        Rows (as text, in :data:`ACTIVITY_COLUMNS` order) per Sector code.
    """
    drafts: list[dict[str, object]] = []
    kinds = Counter(t.output_type for ts in ACTIVITY_TEMPLATES.values() for t in ts)
    for sector, templates in ACTIVITY_TEMPLATES.items():
        for template in templates:
            # Not every activity recurs every year; every output type still appears.
            optional = template.status is None and kinds[template.output_type] >= 4
            if optional and rng.random() < 0.08:
                continue
            units = list(template.units)
            rng.shuffle(units)
            for copy in range(template.copies):
                unit = units[copy % len(units)]
                drafts.append(_draft_activity(rng, year, plan, sector, template, unit, copy))
    _ensure_every_status(rng, drafts)
    per_sector: dict[str, list[list[str]]] = {sector: [] for sector in ACTIVITY_TEMPLATES}
    counters: dict[str, int] = {}
    for draft in sorted(drafts, key=lambda d: (str(d["sector"]), str(d["start_date"]))):
        sector = str(draft["sector"])
        counters[sector] = counters.get(sector, 0) + 1
        draft["activity_id"] = f"{sector}-{year}-{counters[sector]:03d}"
        per_sector[sector].append(_activity_row(draft))
    return per_sector


def _draft_activity(
    rng: random.Random,
    year: int,
    plan: str,
    sector: str,
    template: ActivityTemplate,
    unit: str,
    copy: int,
) -> dict[str, object]:
    participants_range, countries_range, cost_range, duration_range = SIZES[template.size]
    title = template.title.format(year=year, yy=f"{year % 100:02d}")
    if template.copies > 1:
        variant = _REGION_NAMES.get(unit, f"{copy + 1}/{template.copies}")
        title = f"{title} ({variant})"
    partners = [p for p in template.partners if p != unit]
    chosen: list[str] = []
    if partners and rng.random() < 0.75:
        chosen = sorted(rng.sample(partners, k=min(len(partners), rng.choice((1, 1, 2)))))
    start = date(year, 1, 1) + timedelta(days=rng.randint(5, 350))
    if template.size == "project" and rng.random() < 0.4:
        start -= timedelta(days=365)  # a project running since the year before
    duration = rng.randint(*duration_range)
    end = start + timedelta(days=duration - 1)
    if end < date(year, 1, 1):  # (v2) ended before the year: it would be quarantined
        end = start + timedelta(days=365 + duration - 1)
    roll = rng.random()
    if roll < 0.06:
        status = "cancelled"
    elif roll < 0.13:
        status = "planned"  # postponed: still planned when the year closed
    else:
        status = "ongoing" if end.year > year else "completed"
    if template.status is not None:
        status = template.status
        end = min(end, date(year, 12, 31))
    participants = women = countries = None
    if participants_range is not None and status in ("completed", "ongoing"):
        participants = rng.randint(*participants_range)
        if rng.random() < 0.85:
            women = round(participants * rng.uniform(0.22, 0.52))
        countries = min(194, rng.randint(*countries_range))
    elif template.output_type == "filing":
        countries = rng.randint(60, 150)
    cost = None if status == "cancelled" and rng.random() < 0.5 else _chf(rng, *cost_range)
    return {
        "sector": sector,
        "org_unit": unit,
        "partner_org_units": ";".join(chosen),
        "strategic_code": template.codes[plan],
        "output_type": template.output_type,
        "title": title,
        "start_date": start.isoformat(),
        "end_date": "" if status in ("planned", "cancelled") else end.isoformat(),
        "status": status,
        "participants": participants,
        "women_participants": women,
        "countries": countries,
        "cost_chf": cost,
        "fixed": template.status is not None,
    }


_REGION_NAMES = {
    "RO-AFR": "Africa",
    "RO-AMS": "Americas",
    "RO-ARB": "Arab States",
    "RO-ASP": "Asia-Pacific",
    "RO-CIS": "CIS",
    "RO-EUR": "Europe",
}


def _ensure_every_status(rng: random.Random, drafts: list[dict[str, object]]) -> None:
    """Make sure each status appears at least once (the demo should show them all)."""
    for status in ("completed", "ongoing", "planned", "cancelled"):
        if any(d["status"] == status for d in drafts):
            continue
        candidates = [d for d in drafts if d["status"] == "completed" and not d["fixed"]]
        draft = candidates[rng.randrange(len(candidates))]
        draft["status"] = status
        if status in ("planned", "cancelled"):
            draft.update(end_date="", participants=None, women_participants=None, countries=None)


def _activity_row(draft: dict[str, object]) -> list[str]:
    row: list[str] = []
    for column in ACTIVITY_COLUMNS:
        value = draft[column]
        if value is None:
            row.append("")
        elif column == "cost_chf":
            row.append(cents_text(int(value)))  # type: ignore[call-overload]
        else:
            row.append(str(value))
    return row


def indicator_value(spec: IndicatorSpec, year: int) -> float | None:
    """The demo value of an indicator in ``year``: the stated one, else a trend from the baseline.

    Args:
        spec: The indicator.
        year: Any year.

    Returns:
        The value, or ``None`` for no data.
    """
    if year in spec.values:
        return spec.values[year]
    baseline = float(spec.row["baseline_value"])
    target = float(spec.row["target_value"])
    y0, y1 = int(spec.row["baseline_year"]), int(spec.row["target_year"])
    value = baseline + (target - baseline) * (year - y0) / (y1 - y0) * spec.drift
    return round(value, 1)


def generate_landing(
    root: Path,
    years: Iterable[int] = (2023, 2024),
    *,
    seed: int = 2024,
    overwrite: bool = False,
) -> list[Path]:
    """Write a complete, valid demo landing zone under ``root``.

    A file already in the landing zone is kept as it is (it may be a delivery made since,
    through the delivery page): only missing files are created, unless ``overwrite``.

    Args:
        root: Landing zone root; created if missing.
        years: Financial years to generate; each must lie in a shipped Strategic Plan cycle.
        seed: Seed of the random draws; the same seed and years give the same bytes.
        overwrite: Replace files already there with the demo's (a deliberate reset).

    Returns:
        The paths written, ``indicator_definitions.csv`` first, then per year the workbook,
        the four activity files, ``indicator_values.csv`` and the v2 files (``demo_v2``),
        each only if it was written.

    Raises:
        ValueError: A year lies outside every shipped Strategic Plan cycle.
    """
    root = Path(root)
    years = sorted(set(years))
    plans = {year: plan_of_year(year) for year in years}
    written: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        """The one place the demo writes a file: never over an existing one by default."""
        if not overwrite and path.exists():
            log.info("%s exists: kept (make demo-reset replaces it)", path)
            return
        written.append(atomic_write_bytes(path, data))

    write(
        root / "indicator_definitions.csv",
        _csv_bytes(
            list(INDICATORS[0].row),
            [list(spec.row.values()) for spec in INDICATORS],
            "utf-8",
        ),
    )
    from oneitu_etl import demo_v2  # noqa: PLC0415 - it builds on this module's draws

    for year in years:
        rng = random.Random(seed * 10_000 + year)
        folder = root / str(year)
        statements = build_statements(rng, plans[year])
        v2 = demo_v2.build_year(statements, plans[year], year, seed)
        write(
            folder / "financial_statements.xlsx",
            workbook_bytes(v2.statements, year, v2.sheets()),
        )
        for sector, rows in build_activities(rng, year, plans[year]).items():
            name = f"activities_{sector}_{year}.csv"
            data = _csv_bytes(ACTIVITY_COLUMNS, rows, ACTIVITY_ENCODINGS[sector])
            write(folder / "activities" / name, data)
        value_rows = []
        for spec in INDICATORS:
            value = indicator_value(spec, year)
            note = "survey results not yet published" if value is None else ""
            text = "" if value is None else _number(value)
            value_rows.append([spec.row["indicator_code"], str(year), text, spec.source, note])
        write(
            folder / "indicator_values.csv",
            _csv_bytes(["indicator_code", "year", "value", "source", "note"], value_rows, "utf-8"),
        )
        for path, data in demo_v2.files(folder, v2):
            write(path, data)
        log.info("demo landing zone for %s (%s) under %s", year, plans[year], folder)
    return written
