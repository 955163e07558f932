"""The demo's contract version 2 inputs, drawn beside the version 1 ones.

:func:`build_year` takes a year's statements as :mod:`oneitu_etl.demo` drew them and adds
what version 2 describes: the IPSAS 24 items that bridge the budget-basis actuals to the
statement (depreciation, capital acquisitions, employee-benefit accruals; the statement's
expense lines move by them, so R1, R2, R3 and L2 hold exactly), the planned resources of
every unit by element of the strategic framework (summing to its approved and final
budget, R4), staff and membership figures of the Union's size, the Council document, and
the units' narratives (:mod:`oneitu_etl.demo_texts`).

The draws use a generator of their own, seeded from the demo's seed and the year, so the
version 1 figures drawn before them (activities, indicators) do not change. The same seed
gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from oneitu_etl.demo.base import REGIONAL_OFFICES
from oneitu_etl.demo.finance import Statements, split_cents
from oneitu_etl.demo_texts import narratives_for

#: The units' share of the staff (close to their share of the budget; the regional
#: offices are small teams).
STAFF_SHARES = {
    "GS": 0.56,
    "BR": 0.14,
    "TSB": 0.08,
    "BDT": 0.14,
    "RO-AFR": 0.02,
    "RO-AMS": 0.013,
    "RO-ARB": 0.012,
    "RO-ASP": 0.015,
    "RO-CIS": 0.008,
    "RO-EUR": 0.012,
}
#: Elected officials: the Secretary-General and Deputy in the GS, a Director per Bureau.
ELECTED = {"GS": ("male", "female"), "BR": ("male",), "TSB": ("male",), "BDT": ("female",)}
#: Category shares of the appointed staff, and the share of women in each.
CATEGORIES = {"D": (0.04, 0.33), "P": (0.47, 0.44), "G": (0.49, 0.62)}
#: Regions of nationality of staff in categories P and above (contract 1.4).
REGION_WEIGHTS = {"A": 0.17, "B": 0.38, "C": 0.12, "D": 0.15, "E": 0.18}
#: (members, share taking part) per sector and category, around the Union's figures.
MEMBERSHIP = {
    "R": {"member_state": (193, 0.78), "sector_member": (268, 0.66), "associate": (24, 0.50),
          "academia": (46, 0.41)},
    "T": {"member_state": (193, 0.82), "sector_member": (252, 0.74), "associate": (61, 0.62),
          "academia": (112, 0.55)},
    "D": {"member_state": (193, 0.91), "sector_member": (286, 0.47), "associate": (19, 0.42),
          "academia": (87, 0.38)},
}  # fmt: skip
#: The IPSAS 24 items: code, kind, expense line, description, (low, high) CHF and sign.
ITEMS = (
    ("DEP", "basis", "EXP_DEPRECIATION",
     "Depreciation and amortization of fixed and intangible assets, not in the budget",
     (6_500_000, 8_200_000), 1),
    ("CAPEX", "basis", "EXP_SUPPLIES",
     "Capital acquisitions charged to the budget, capitalised in the statement",
     (900_000, 1_600_000), -1),
    ("ASHI", "timing", "EXP_STAFF",
     "After-service health insurance and other employee benefits accrued, not yet paid",
     (2_400_000, 3_900_000), 1),
    ("LEAVE", "timing", "EXP_STAFF",
     "Annual leave and repatriation entitlements: movement of the accrual", (150_000, 450_000), -1),
)  # fmt: skip


@dataclass(frozen=True)
class YearV2:
    """A year's version 2 inputs (amounts in cents) and its statements, bridged."""

    statements: Statements
    plan_rows: list[tuple[str, str, int, int]]  # (org_unit, strategic_code, approved, final)
    items: list[tuple[str, str, str, str, int]]  # (item_code, kind, line_code, text, cents)
    staff: list[list[object]]
    membership: list[list[object]]
    council: list[list[str]]
    narratives: list[list[str]]

    def sheets(self) -> dict[str, tuple[list[str], list[list[object]]]]:
        """The workbook's two optional sheets: name -> (header, rows), amounts in CHF."""
        return {
            "budget_allocation": (
                ["org_unit", "strategic_code", "approved_budget_chf", "final_budget_chf"],
                [[u, c, a / 100, f / 100] for u, c, a, f in self.plan_rows],
            ),
            "budget_reconciliation": (
                ["item_code", "kind", "line_code", "description", "amount_chf"],
                [
                    [code, kind, line, text, cents / 100]
                    for code, kind, line, text, cents in self.items
                ],
            ),
        }


def bridged(statements: Statements, rng: random.Random) -> tuple[Statements, list]:
    """The statements with the IPSAS 24 items on their expense lines, and the items.

    Each item adds to (or, negative, takes from) one expense line and ``TOTAL_EXPENSES``:
    the statement's expenses are the budget-basis actuals plus the items (R2).
    """
    items = [
        (code, kind, line, text, sign * rng.randint(low * 100, high * 100))
        for code, kind, line, text, (low, high), sign in ITEMS
    ]
    moved: dict[str, int] = {}
    for _, _, line, _, cents in items:
        moved[line] = moved.get(line, 0) + cents
    total = sum(cents for *_, cents in items)
    performance = []
    for code, line_type, cents in statements.performance:
        if code == "TOTAL_EXPENSES":
            cents += total
        performance.append((code, line_type, cents + moved.get(code, 0)))
    return replace(statements, performance=performance), sorted(items)


def planned(statements: Statements, rng: random.Random) -> list[tuple[str, str, int, int]]:
    """Each unit's approved and final budget spread over the codes it works on (R4).

    The plan's shares differ from the actual expenses' (some work costs more or less
    than planned); every code a unit spends on is planned, so under-spending shows per
    code as well as per unit.
    """
    rows = []
    spent: dict[str, list[tuple[str, int]]] = {}
    for unit, code, cents in statements.allocation:
        spent.setdefault(unit, []).append((code, cents))
    for unit, approved, final, _ in statements.budget:
        codes = [code for code, _ in spent.get(unit, [])]
        weights = [max(cents, 1) * rng.uniform(0.85, 1.15) for _, cents in spent.get(unit, [])]
        approved_parts = split_cents(approved, weights)
        final_parts = split_cents(final, [w * rng.uniform(0.97, 1.03) for w in weights])
        rows += list(zip([unit] * len(codes), codes, approved_parts, final_parts, strict=True))
    return rows


def staff_rows(rng: random.Random, year: int) -> list[list[object]]:
    """Headcount by unit, category, gender and region: about 1,000 staff in all."""
    total = 980 + (year % 7) * 6
    rows: list[list[object]] = []
    for unit, share in STAFF_SHARES.items():
        for gender in ELECTED.get(unit, ()):
            rows.append([unit, "elected", gender, "B" if gender == "male" else "E", 1])
        people = round(total * share)
        for category, (cat_share, women) in CATEGORIES.items():
            count = round(people * cat_share * rng.uniform(0.9, 1.1))
            female = round(count * min(0.8, women * rng.uniform(0.9, 1.1)))
            for gender, n in (("female", female), ("male", count - female)):
                if category == "G":  # locally recruited: no geographical distribution
                    rows.append([unit, category, gender, "", n])
                    continue
                weights = list(REGION_WEIGHTS.values())
                if unit in REGIONAL_OFFICES:  # regional offices recruit in their region
                    home = {"RO-AFR": "D", "RO-AMS": "A", "RO-ARB": "D", "RO-ASP": "E",
                            "RO-CIS": "C", "RO-EUR": "B"}[unit]  # fmt: skip
                    weights = [w * (4 if r == home else 1) for r, w in REGION_WEIGHTS.items()]
                for region, part in zip(REGION_WEIGHTS, split_cents(n, weights), strict=True):
                    rows.append([unit, category, gender, region, part])
    return rows


def membership_rows(rng: random.Random) -> list[list[object]]:
    """Members and participants per sector and category (193 Member States)."""
    rows: list[list[object]] = []
    for sector, categories in MEMBERSHIP.items():
        for category, (members, share) in categories.items():
            if category != "member_state":
                members = round(members * rng.uniform(0.96, 1.04))
            taking_part = round(members * min(1.0, share * rng.uniform(0.95, 1.05)))
            shown = "" if category == "academia" and sector == "R" else taking_part
            rows.append([sector, category, members, shown])
    return rows


def council_rows(year: int) -> list[list[str]]:
    """The Council document of the year's report, presented the following spring."""
    session = year + 1
    return [
        ["field", "value"],
        ["document", f"C{session % 100:02d}/35"],
        ["session", f"Council {session}"],
        ["agenda_item", "PL 2.1"],
        ["date", f"{session}-04-{22 + session % 7:02d}"],
        ["original_language", "en"],
        ["references", f"Resolution 71 (Rev. Bucharest, 2022); C{session % 100:02d}/10; "
                       f"C{(session - 1) % 100:02d}/35"],
    ]  # fmt: skip


def build_year(statements: Statements, plan: str, year: int, seed: int) -> YearV2:
    """Every version 2 input of a year, from its version 1 statements.

    Args:
        statements: The year's statements as :func:`oneitu_etl.demo.finance.build_statements` drew
            them (actuals equal to the statement's expenses).
        plan: The Strategic Plan cycle of the year.
        year: The financial year.
        seed: The demo's seed.
    """
    rng = random.Random(f"v2:{seed}:{year}")
    bridged_statements, items = bridged(statements, rng)
    return YearV2(
        statements=bridged_statements,
        plan_rows=planned(statements, rng),
        items=items,
        staff=staff_rows(rng, year),
        membership=membership_rows(rng),
        council=council_rows(year),
        narratives=narratives_for(plan, year, statements.allocation, statements.budget),
    )


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def files(folder: Path, data: YearV2) -> list[tuple[Path, bytes]]:
    """The year's version 2 CSVs, path and content (the two budget tables go in the workbook).

    Returns:
        The narratives (one file per unit), staff, membership and the Council document;
        the demo writes each only where no file is (:func:`.demo.generate_landing`).
    """
    out: list[tuple[Path, bytes]] = []
    header = ["narrative_id", "org_unit", "strategic_code", "kind", "language", "text",
              "reference"]  # fmt: skip
    by_unit: dict[str, list[list[str]]] = {}
    for row in data.narratives:
        by_unit.setdefault(row[1], []).append(row)
    for unit, rows in sorted(by_unit.items()):
        out.append((folder / "narratives" / f"narratives_{unit}.csv", _csv(header, rows)))
    staff_header = ["org_unit", "category", "gender", "region", "headcount"]
    out.append((folder / "staff.csv", _csv(staff_header, data.staff)))
    members_header = ["sector", "category", "members", "participating"]
    out.append((folder / "membership.csv", _csv(members_header, data.membership)))
    out.append((folder / "council_document.csv", _csv(data.council[0], data.council[1:])))
    return out
