"""The reference data's names: one ``names_<lang>.csv`` per language, English and French
included, each naming every code of every list once, in the order of the reference files;
a language is one more file, and a name it does not give is said in English.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from oneitu_etl.reference import Reference, default_data_dir, load_reference
from oneitu_etl.settings import LANGUAGES


def listed(ref: Reference) -> list[tuple[str, str]]:
    """Every (list, code) of the reference files, in their order."""
    return [
        *(("org_unit", code) for code in ref.org_units),
        *(("sector", code) for code in ref.sectors),
        *(("statement_line", code) for code in ref.statement_lines),
        *((cycle.names_list, e.code) for cycle in reversed(ref.cycles) for e in cycle.elements),
        *((name, code) for name, codes in ref.code_lists.items() for code in codes),
    ]


def test_the_languages_shipped_are_the_reports() -> None:
    assert sorted(load_reference().names) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_names_every_code_once_in_reference_order(lang: str) -> None:
    with (default_data_dir() / f"names_{lang}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    assert [(r["list"], r["code"]) for r in rows] == listed(load_reference())
    assert all(r["name"].strip() for r in rows)


@pytest.mark.parametrize(
    ("lang", "list_name", "code", "expected"),
    [
        pytest.param("fr", "org_unit", "GS", "Secrétariat général", id="given"),
        pytest.param("de", "org_unit", "GS", "General Secretariat", id="no-file-english"),
        pytest.param("fr", "org_unit", "XX", "XX", id="unknown-code-itself"),
        pytest.param("en", "framework_2024_2027", "G1", "Universal connectivity", id="element"),
    ],
)
def test_a_name_in_a_language(lang: str, list_name: str, code: str, expected: str) -> None:
    assert load_reference().name(lang, list_name, code) == expected


def test_a_new_language_is_one_more_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    (data / "names_de.csv").write_text(
        "list,code,name\norg_unit,GS,Generalsekretariat\norg_unit,BR,\n", encoding="utf-8"
    )

    ref = load_reference(data)

    assert ref.name("de", "org_unit", "GS") == "Generalsekretariat"
    assert ref.name("de", "org_unit", "BR") == "Radiocommunication Bureau"  # empty: English
