"""The v2 example landing zone with its activities scaled to a given number (benchmark 8).

Each activity file of ``tests/fixtures/landing_v2`` (the project's copy of the contract's
v2 example) keeps its share of the year's activities; rows are drawn from its own rows
(units, codes, types, statuses, figures as the example has them), with unique ids and
titles that, like real ones, differ: two words of a vocabulary follow the example's
title, so only a few pairs are near-duplicates.
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "fixtures" / "landing_v2"
YEAR = 2024
WORDS = (
    "accra almaty amman apia asuncion bangkok beirut bogota brasilia bridgetown cairo "
    "dakar dhaka geneva hanoi harare jakarta kigali kyiv lima lusaka manila mexico "
    "moscow nairobi niamey panama prague quito riyadh santiago suva tbilisi tunis "
    "accessibility broadband cybersecurity spectrum satellite maritime emergency "
    "fibre rural schools youth women elders farmers health finance energy climate "
    "ai metaverse quantum iot cloud data privacy trust skills policy regulation "
    "standards testing conformance numbering roaming pricing tariffs competition"
).split()


def write_scaled(target: Path, count: int, seed: int = 7) -> Path:
    """The v2 example under ``target`` with ``count`` activities in all; returns it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(EXAMPLE, target)
    rng = random.Random(seed)
    folder = target / str(YEAR) / "activities"
    files = sorted(folder.glob("*.csv"))
    sources = []
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        sources.append((path, rows))
    total = sum(len(rows) for _path, rows in sources)
    made = 0
    for n, (path, rows) in enumerate(sources):
        share = count - made if n == len(sources) - 1 else round(count * len(rows) / total)
        made += share
        header = list(rows[0]) if rows else []
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            for i in range(share):
                row = dict(rows[i % len(rows)])
                base = row["title"].split(" #")[0]
                row["activity_id"] = f"{path.stem}-{i:06d}"
                row["title"] = f"{base} {rng.choice(WORDS)} {rng.choice(WORDS)} #{i}"
                writer.writerow(row)
    return target
