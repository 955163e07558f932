"""The demo's Sectors deliveries: the activities each unit runs, one file per Sector in the
three encodings the contract accepts."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.demo.base import REGIONAL_OFFICES, SP2020, SP2024
from oneitu_etl.demo.finance import cents_text, chf_amount

#: Encoding of each Sector's activity file: exercises the three encodings the contract accepts.
ACTIVITY_ENCODINGS = {"SG": "utf-8-sig", "R": "utf-8", "T": "utf-8", "D": "cp1252"}


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
    cost = None if status == "cancelled" and rng.random() < 0.5 else chf_amount(rng, *cost_range)
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
