"""What the demo's sources share: the plan cycles' names, the regional offices, CSV bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

SP2020 = "SP2020-2023"
SP2024 = "SP2024-2027"

REGIONAL_OFFICES = ("RO-AFR", "RO-AMS", "RO-ARB", "RO-ASP", "RO-CIS", "RO-EUR")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str) -> bytes:
    buffer = io.StringIO()
    # Windows-1252 files come from Excel on Windows: CRLF line ends there, LF elsewhere.
    writer = csv.writer(buffer, lineterminator="\r\n" if encoding == "cp1252" else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
