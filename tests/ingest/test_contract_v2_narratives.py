"""(v2) Narratives: files under ``<year>/narratives/`` load with their lineage; a translation
that disagrees with the first loaded row of its narrative (files in name order) is
quarantined, and withdrawing the earlier file re-judges the group.
"""

from __future__ import annotations

from ingest_support import T0, YEAR, Zone

from oneitu_etl.warehouse import schema as s

HEADER = "narrative_id,org_unit,strategic_code,kind,language,text,reference\n"
EARLY = f"{YEAR}/narratives/a_BR.csv"
LATE = f"{YEAR}/narratives/b_BR_translations.csv"


def test_a_disagreeing_translation_is_quarantined_until_the_original_goes(zone: Zone) -> None:
    zone.put(EARLY, HEADER + "N-1,BR,TP-RAD,achievement,en,Filings were processed on time.,\n")
    zone.put(
        LATE,
        HEADER
        + "N-1,BR,TP-RAD,challenge,fr,Les fiches ont été traitées dans les délais.,\n"
        + "N-1,BR,TP-RAD,challenge,es,Las notificaciones se tramitaron a tiempo.,\n",
    )
    zone.ingest(now=T0)
    assert zone.current(s.narratives, "narrative_id", "language", "kind") == [
        ("N-1", "en", "achievement")
    ]
    assert [
        (i["file"], i["row_number"], i["column_name"], i["quarantined"]) for i in zone.issues()
    ] == [
        (LATE, 2, "kind", True),
        (LATE, 3, "kind", True),
    ]
    assert zone.issues()[0]["message"] == (
        'this translation of N-1 has kind "challenge" but its first row '
        f'({EARLY} row 2) has "achievement"; the translations of a narrative share '
        "org_unit, strategic_code and kind"
    )

    zone.remove(EARLY)  # the French row is now the first loaded row of N-1
    zone.ingest(now=T0.replace(hour=12))
    assert zone.current(s.narratives, "narrative_id", "language", "kind") == [
        ("N-1", "es", "challenge"),
        ("N-1", "fr", "challenge"),
    ]
    assert zone.issues() == []
    delivery = zone.delivery(LATE)
    assert (delivery["kind"], delivery["rows_loaded"]) == ("narratives", 2)
