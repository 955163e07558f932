"""The demo's planning deliveries: the indicator definitions and each year's values."""

from __future__ import annotations

from dataclasses import dataclass


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
            "baseline_value": number_text(baseline),
            "target_year": "2027",
            "target_value": number_text(target),
            "source": source,
        },
        values=values,
        source=source,
        drift=drift,
    )


def number_text(value: float) -> str:
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
