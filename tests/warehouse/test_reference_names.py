"""The reference codes' names in the warehouse: one row per list, code and language
(``reference_names``, revision 0009), in every language the package ships; the upgrade
from the two name columns keeps the names already stored, and the downgrade puts them back.
"""

from __future__ import annotations

from sqlalchemy import create_engine, func, insert, inspect, select, text
from test_migrate import run_alembic

from oneitu_etl import warehouse
from oneitu_etl.reference import load_reference
from oneitu_etl.settings import LANGUAGES
from oneitu_etl.warehouse import schema as s
from oneitu_etl.warehouse.reference_data import sync_reference


def test_every_shipped_name_is_a_row_in_its_language(db_url: str) -> None:
    engine = warehouse.connect(db_url)
    try:
        sync_reference(engine, load_reference())
        sync_reference(engine, load_reference())  # replaced whole, not added to
        with engine.connect() as conn:
            by_language = dict(
                conn.execute(
                    select(s.reference_names.c.language, func.count()).group_by(
                        s.reference_names.c.language
                    )
                ).all()
            )
            name = conn.execute(
                select(s.reference_names.c.name).where(
                    s.reference_names.c.list == "framework_2024_2027",
                    s.reference_names.c.code == "G1",
                    s.reference_names.c.language == "fr",
                )
            ).scalar_one()
            columns = {c["name"] for c in inspect(conn).get_columns("org_units")}
    finally:
        engine.dispose()

    assert by_language == {lang: 130 for lang in LANGUAGES}
    assert name == "Connectivité universelle"
    assert columns == {"code", "sector"}


UNITS_0008 = """INSERT INTO org_units (code, name_en, name_fr, sector)
VALUES ('GS', 'General Secretariat', 'Secrétariat général', 'SG')"""
ELEMENTS_0008 = """INSERT INTO strategic_elements (plan, code, kind, goal, name_en, name_fr)
VALUES ('SP2024-2027', 'G1', 'goal', NULL, 'Universal connectivity', 'Connectivité universelle')"""


def test_the_upgrade_keeps_the_stored_names_and_the_downgrade_puts_them_back(
    db_url: str,
) -> None:
    run_alembic(db_url, ("upgrade", "0008"))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(UNITS_0008))
        conn.execute(text(ELEMENTS_0008))
    engine.dispose()

    run_alembic(db_url, ("upgrade", "0009"))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        rows = set(conn.execute(select(s.reference_names)).all())
        conn.execute(
            insert(s.reference_names),
            [{"list": "org_unit", "code": "GS", "language": "ar", "name": "الأمانة العامة"}],
        )
    engine.dispose()

    assert rows == {
        ("org_unit", "GS", "en", "General Secretariat"),
        ("org_unit", "GS", "fr", "Secrétariat général"),
        ("framework_2024_2027", "G1", "en", "Universal connectivity"),
        ("framework_2024_2027", "G1", "fr", "Connectivité universelle"),
    }

    run_alembic(db_url, ("downgrade", "0008"))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        units = conn.execute(text("SELECT code, name_en, name_fr, sector FROM org_units")).all()
        elements = conn.execute(text("SELECT code, name_en, name_fr FROM strategic_elements")).all()
        tables = set(inspect(conn).get_table_names())
        nullable = {c["name"]: c["nullable"] for c in inspect(conn).get_columns("sectors")}
    engine.dispose()

    assert units == [("GS", "General Secretariat", "Secrétariat général", "SG")]
    assert elements == [("G1", "Universal connectivity", "Connectivité universelle")]
    assert "reference_names" not in tables
    assert nullable == {"code": False, "name_en": False, "name_fr": False}
