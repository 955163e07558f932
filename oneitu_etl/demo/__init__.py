"""A seeded, deterministic demo landing zone with realistic ITU magnitudes.

:func:`generate_landing` writes everything the contract's section 2 describes for a set of
financial years: the financial statements workbook, one activity file per Sector (in the
three accepted encodings), the indicator values of each year and the indicator definitions.

All money is computed in integer cents, so the reconciliation rules R1 to R4 hold
exactly (v2 inputs: :mod:`.v2`). The same ``seed`` and ``years`` give the same bytes,
workbooks included (their timestamps are fixed). A year uses the codes of the Strategic Plan
cycle whose framework file the project ships (``reference/data/strategic_framework_*.csv``):
2020-2023 for SP2020-2023, 2024-2027 for SP2024-2027.

One module per source: :mod:`.finance` (the statements and their workbook),
:mod:`.activities` (the Sectors' files), :mod:`.indicators` (planning's definitions and
values), :mod:`.v2` (what contract version 2 adds); :mod:`.base` what they share.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from pathlib import Path

from oneitu_etl.demo import v2 as demo_v2
from oneitu_etl.demo.activities import ACTIVITY_COLUMNS, ACTIVITY_ENCODINGS, build_activities
from oneitu_etl.demo.base import csv_bytes
from oneitu_etl.demo.finance import build_statements, workbook_bytes
from oneitu_etl.demo.indicators import INDICATORS, indicator_value, number_text
from oneitu_etl.fileio import atomic_write_bytes
from oneitu_etl.reference import load_reference

log = logging.getLogger(__name__)


def plan_of_year(year: int) -> str:
    """Name the Strategic Plan cycle that contains ``year``, from the framework files shipped.

    Raises:
        ValueError: No shipped framework covers the year.
    """
    cycle = load_reference().cycle_for(year)
    if cycle is None:
        raise ValueError(f"no strategic framework file covers {year}")
    return cycle.plan


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
        the four activity files, ``indicator_values.csv`` and the v2 files (:mod:`.v2`),
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
        csv_bytes(
            list(INDICATORS[0].row),
            [list(spec.row.values()) for spec in INDICATORS],
            "utf-8",
        ),
    )
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
            data = csv_bytes(ACTIVITY_COLUMNS, rows, ACTIVITY_ENCODINGS[sector])
            write(folder / "activities" / name, data)
        value_rows = []
        for spec in INDICATORS:
            value = indicator_value(spec, year)
            note = "survey results not yet published" if value is None else ""
            text = "" if value is None else number_text(value)
            value_rows.append([spec.row["indicator_code"], str(year), text, spec.source, note])
        write(
            folder / "indicator_values.csv",
            csv_bytes(["indicator_code", "year", "value", "source", "note"], value_rows, "utf-8"),
        )
        for path, data in demo_v2.files(folder, v2):
            write(path, data)
        log.info("demo landing zone for %s (%s) under %s", year, plans[year], folder)
    return written
