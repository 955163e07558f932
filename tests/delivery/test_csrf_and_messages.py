"""The form token, the page's words in the six languages, and the validator's sentences
translated through the one gettext catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from oneitu_etl.checkfiles import NamedFile, check_files
from oneitu_etl.delivery import csrf
from oneitu_etl.delivery.messages import WORDS, date, gettext, issue_message, size_text, word
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue
from oneitu_etl.settings import Settings

KEY = b"k" * 32
LOCALE = Path(__file__).resolve().parents[2] / "reports" / "locale"


def test_token_is_valid_for_its_user_and_cookie_only() -> None:
    token = csrf.form_token(KEY, "finance", "nonce-1")
    assert csrf.is_valid(KEY, "finance", "nonce-1", token)
    assert not csrf.is_valid(KEY, "mallory", "nonce-1", token)
    assert not csrf.is_valid(KEY, "finance", "nonce-2", token)
    assert not csrf.is_valid(KEY, "finance", None, token)
    assert not csrf.is_valid(KEY, "finance", "nonce-1", None)
    assert not csrf.is_valid(b"x" * 32, "finance", "nonce-1", token)
    assert not csrf.is_valid(KEY, "finance", "nonce-1", token[:-1] + "0")


@pytest.mark.parametrize("lang", ["ar", "es", "fr", "ru", "zh"])
def test_every_word_of_the_page_is_translated(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        strings = {m.id: m.string for m in read_po(handle) if m.id}
    for group, words in WORDS.items():
        for value, msgid in words.items():
            assert strings.get(msgid), (lang, msgid)
            assert word(lang, group, value, errors=3) == strings[msgid] % {"errors": 3}
    assert gettext(lang, "Check and deliver") == strings["Check and deliver"] != ""


@pytest.mark.parametrize(
    ("size", "en", "fr"),
    [
        (100, "100 bytes", "100 octets"),
        (50 * 1024 * 1024, "50 MB", "50 Mo"),
        (1536, "1.5 KB", "1,5 Ko"),
        (5 * 1024**3, "5 GB", "5 Go"),
    ],
)
def test_sizes(size: int, en: str, fr: str) -> None:
    assert (size_text("en", size), size_text("fr", size)) == (en, fr)


def test_sizes_in_the_other_scripts() -> None:
    assert size_text("ru", 1536) == "1,5 КБ"
    assert size_text("ar", 50 * 1024 * 1024) == "50 ميغابايت"
    assert size_text("zh", 100) == "100字节"


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "29 November 2026"),
        ("fr", "29 novembre 2026"),
        ("ar", "29 نوفمبر 2026"),
        ("zh", "2026年11月29日"),
        ("ru", "29 ноября 2026\u202fг."),
    ],
)
def test_dates_on_the_page_are_written_by_babel(lang: str, shown: str) -> None:
    assert date(lang, "2026-11-29") == shown
    assert date(lang, "not a date") == "not a date"


def test_unknown_language_falls_back_to_english() -> None:
    assert gettext("de", "Check and deliver") == "Check and deliver"
    assert word("de", "severity", "error") == "error"


def untranslated(issues: list[Issue], lang: str) -> list[str]:
    """The messages that have no code, or whose ``lang`` text is still the English."""
    return [i.message for i in issues if not i.code or issue_message(i, lang)[0] == i.message]


# Each line breaks one rule; the validator's own sentence must come out in French.
BAD_ACTIVITIES = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf\n"
    "A1,XX,,TP-RAD,meeting,t,2024-01-01,,completed,,,,\n"
    "A2,BR,ZZ,TP-RAD,meeting,t,2024-01-01,,completed,,,,\n"
    "A3,BR,,TP-RAD,meeting,,2024-01-01,,completed,,,,\n"
    "A4,BR,,TP-RAD,meeting,t,01/02/2024,,completed,,,,\n"
    "A5,BR,,TP-RAD,meeting,t,2024-02-30,,completed,,,,\n"
    "A6,BR,,TP-RAD,meeting,t,2024-03-01,2024-02-01,completed,,,,\n"
    "A7,BR,,TP-RAD,meeting,t,2024-03-01,,completed,5,9,,\n"
    "A8,BR,,TP-RAD,meeting,t,2024-03-01,,completed,x,,,\n"
    "A9,BR,,TP-RAD,meeting,t,2024-03-01,,completed,,,300,\n"
    "A10,BR,,TP-RAD,meeting,t,2024-03-01,,completed,,,,-3\n"
    "A11,BR,,TP-RAD,meeting,t,2024-03-01,,completed,,,,1.234\n"
    "A11,BR,,TP-RAD,meeting,t,2025-03-01,,completed,,,,\n"
)
BAD_PERFORMANCE = (
    "line_code,line_label,line_type,amount_chf,remark\n"
    "REV_ASSESSED,a,expense,10.00,\n"
    "EXP_STAFF,b,expense,1 000.00,\n"
    "TOTAL_REVENUE,c,total,99.00,\n"
)


def test_validator_sentences_come_out_in_french() -> None:
    files = [
        NamedFile("2024/activities/a.csv", BAD_ACTIVITIES.encode()),
        NamedFile("2024/financial_performance.csv", BAD_PERFORMANCE.encode()),
    ]
    issues = check_files(files, Settings(landing="", out="out"))
    assert len(issues) >= 14
    assert untranslated(issues, "fr") == []


BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
#: The corpus of what Excel and people really deliver (issue 15), read by the page's checker.
REAL_WORLD = [
    "unquoted_thousands_separator",
    "unquoted_decimal_comma",
    "unquoted_comma_in_statements",
    "over_long_cell",
    "title_row_above_header",
    "near_column_name",
    "sheet_name_with_a_space",
    "password_protected_xlsx",
    "excel_97_2003_xls",
    "strict_open_xml",
    "utf16_without_bom",
    "pdf_named_xlsx",
    "scientific_notation",
    "lock_file_beside_csv",
]


@pytest.mark.parametrize("case", REAL_WORLD)
def test_the_real_world_mistakes_are_told_in_french_on_the_page(case: str) -> None:
    folder = BAD / case
    files = [
        NamedFile(p.relative_to(folder).as_posix(), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]
    issues = check_files(files, Settings(landing="", out="out"))
    assert issues, "each case has a problem to tell"
    assert untranslated(issues, "fr") == []


@pytest.mark.parametrize(
    ("message", "french"),
    [
        (
            say(
                "r1_revenue",
                rule="R1-revenue",
                line="TOTAL_REVENUE",
                left="10.00",
                right="99.00",
                difference="89.00",
            ),
            "R1-revenue non respectée\u00a0: les lignes de produits totalisent 10.00 mais "
            "TOTAL_REVENUE vaut 99.00 (écart 89.00)",
        ),
        (
            say("duplicate", columns="org_unit and strategic_code", key="BR, TP-RAD", row=2),
            "org_unit and strategic_code BR, TP-RAD en double\u00a0; déjà donné à la ligne 2",
        ),
    ],
)
def test_french_of_cross_file_sentences(message: str, french: str) -> None:
    assert issue_message(Issue("f", message), "fr") == (french, "fr")


def test_a_message_without_a_code_stays_in_english() -> None:
    issue = Issue("f", "something the validator said before messages had codes")
    assert issue_message(issue, "fr") == (issue.message, "en")
    retired = Issue("f", "said with a code this version no longer has", code="gone", params={})
    assert issue_message(retired, "ar") == (retired.message, "en")
