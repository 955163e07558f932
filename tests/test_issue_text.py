"""The validator's messages: a code and its parameters, said in the six languages through
the report's gettext catalogues."""

from __future__ import annotations

import pickle
import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from oneitu_etl.checkfiles import NamedFile, check_files
from oneitu_etl.issue_text import (
    TEMPLATES,
    Label,
    declared_templates,
    render,
    say,
    template,
    translate,
)
from oneitu_etl.issues import Issue
from oneitu_etl.settings import Settings

REPO = Path(__file__).resolve().parents[1]
LOCALE = REPO / "reports" / "locale"
BAD = REPO / "tests" / "fixtures" / "bad"
FIELD = re.compile(r"\{[a-z_]+\}")
OTHER_LANGUAGES = ["ar", "es", "fr", "ru", "zh"]


def catalogue(lang: str) -> dict[str, str]:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}


def every_code() -> dict[str, str]:
    return {**TEMPLATES, **declared_templates()}


def test_the_declared_rules_messages_have_codes() -> None:
    declared = declared_templates()
    assert declared["activities.end_after_start"] == (
        "end_date {value} is before start_date {start_date}"
    )
    assert "narratives.expect_column_values_to_be_in_set:language" in declared
    assert not set(declared) & set(TEMPLATES)


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_message_code_is_translated_with_its_fields(lang: str) -> None:
    strings = catalogue(lang)
    for code, english in every_code().items():
        translated = strings.get(english)
        assert translated, f"{code}: no {lang} for {english!r} (pybabel extract/update)"
        assert sorted(FIELD.findall(translated)) == sorted(FIELD.findall(english)), (lang, code)


def bad_cases() -> list[str]:
    return sorted(p.name for p in BAD.iterdir() if p.is_dir())


def check_case(case: str) -> list[Issue]:
    folder = BAD / case
    files = [
        NamedFile(p.relative_to(folder).as_posix(), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    return check_files(files, Settings(landing="", out="out"))


def test_every_problem_of_the_bad_corpus_is_said_with_a_code() -> None:
    seen: set[str] = set()
    for case in bad_cases():
        for issue in check_case(case):
            assert issue.code, f"{case}: no code for {issue.message!r}"
            # the English message is the code's template with the stored parameters
            assert render(issue.code, issue.params or {}, "en") == issue.message, case
            seen.add(issue.code)
    assert len(seen) > 40


SCRIPTS = {
    "ar": "ARABIC",
    "ru": "CYRILLIC",
    "zh": "CJK",
}


def letters(text: str, script: str) -> int:
    return sum(1 for ch in text if ch.isalpha() and script in unicodedata.name(ch, ""))


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_the_corpus_is_said_in_each_script(lang: str) -> None:
    for case in ("unknown_codes", "r2_mismatch", "semicolon_csv", "pdf_named_xlsx"):
        for issue in check_case(case):
            said = translate(issue, lang)
            assert letters(said, SCRIPTS[lang]) >= 3, (case, said)


def test_spanish_of_a_reconciliation_rule() -> None:
    issue = Issue(
        "2024/financial_performance.csv",
        say("r3_unit", unit="BR", left="10.00", right="12.00", difference="2.00"),
    )
    assert issue.message == (
        "R3 failed for BR: allocations sum to 10.00 but actual_chf is 12.00 (difference 2.00)"
    )
    assert translate(issue, "es") == (
        "No se cumple R3 para BR: las imputaciones suman 10.00 pero actual_chf es 12.00 "
        "(diferencia 2.00)"
    )


def test_translated_pieces_inside_a_message_are_translated_too() -> None:
    message = say("value_missing", expected=Label("an org unit"))
    assert message == "value is missing; an org unit is required"
    assert message.params == {"expected": {"text": "an org unit"}}
    assert (
        translate(Issue("f", message), "fr") == "valeur manquante\u00a0; une unité est obligatoire"
    )
    nested = say("csv_binary", what=say("what_pdf"))
    assert nested == "not a text CSV file: this is a PDF document; save the table as CSV"
    assert translate(
        {"message": str(nested), "code": nested.code, "params": nested.params}, "es"
    ) == ("no es un archivo CSV de texto: es un documento PDF; guarde la tabla como CSV")


def test_a_stored_problem_without_a_code_is_shown_in_english() -> None:
    stored = {"message": "written before messages had codes", "code": None, "params": None}
    assert translate(stored, "ru") == "written before messages had codes"
    gone = {"message": "a code this version no longer has", "code": "retired", "params": {}}
    assert translate(gone, "zh") == "a code this version no longer has"
    assert template("retired") is None


def test_a_message_keeps_its_code_through_pickle_and_issue() -> None:
    message = say("column_twice", column="org_unit")
    again = pickle.loads(pickle.dumps(message))
    assert (again, again.code, again.params) == (message, "column_twice", {"column": "org_unit"})
    issue = Issue("f", message, row=1)
    assert type(issue.message) is str
    assert (issue.code, issue.params) == ("column_twice", {"column": "org_unit"})
    assert issue.as_said()["code"] == "column_twice"
    assert "code" not in issue.as_error()
