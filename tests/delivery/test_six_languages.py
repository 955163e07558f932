"""The delivery page in the Union's six languages, from the report's gettext catalogues:
its words, the validator's problems and the reasons for a refusal; Arabic right to left."""

from __future__ import annotations

import re
import unicodedata

import pytest
from delivery_support import Site, table_rows

SCRIPTS = {"ar": "ARABIC", "ru": "CYRILLIC", "zh": "CJK"}
SEVERITY = {"ar": "خطأ", "ru": "ошибка", "zh": "错误"}
#: budget_comparison row 3 holds -5 (spoiled by the fixture): "-5.00 is negative..."
NEGATIVE = {
    "ar": "-5.00 سالب؛ يجب أن تكون المبالغ >= 0",
    "ru": "-5.00 — отрицательное число; суммы должны быть >= 0",
    "zh": "-5.00为负数；金额必须>= 0",
}


def letters(text: str, script: str) -> int:
    return sum(1 for ch in text if ch.isalpha() and script in unicodedata.name(ch, ""))


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_a_bad_file_is_told_in_the_chosen_script(
    site: Site, bad_workbook: bytes, lang: str
) -> None:
    answer = site.upload(bad_workbook, "financial_statements.xlsx", lang=lang)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in answer.text
    rows = table_rows(answer.text, "issues")
    assert len(rows) >= 2
    for row in rows:
        message, severity = row[-2], row[-1]
        assert letters(message, SCRIPTS[lang]) >= 3, message
        assert severity == SEVERITY[lang]
    assert ["budget_comparison", "3", "actual_chf", "-5", NEGATIVE[lang], SEVERITY[lang]] in rows
    outcome = re.search(r'id="outcome"[^>]*>(.*?)</div>', answer.text, re.S)
    assert outcome and letters(outcome.group(1), SCRIPTS[lang]) >= 5


def test_the_arabic_page_is_right_to_left_and_offers_six_languages(site: Site) -> None:
    page = site.client.get("/oneitu/?lang=ar", headers={"X-Test-User": "finance:op"})
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "تسليم ملف" in page.text  # "Deliver a file"
    chooser = re.search(r'<select id="lang" name="lang">(.*?)</select>', page.text, re.S)
    assert chooser
    offered = re.findall(r'<option value="([a-z]+)"', chooser.group(1))
    assert offered == ["ar", "en", "es", "fr", "ru", "zh"]
    links = re.search(r'<span id="languages"[^>]*>(.*?)</span>', page.text, re.S)
    assert links
    assert sorted(re.findall(r'hreflang="([a-z]+)"', links.group(1))) == [
        "en",
        "es",
        "fr",
        "ru",
        "zh",
    ]
    assert 'lang="ar" aria-current="true">العربية<' in links.group(1)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("es", "el archivo es demasiado grande: el límite es 100 bytes."),
        ("ru", "файл слишком велик: предел — 100 байт."),
        ("zh", "文件过大：上限为100字节。"),
        ("ar", "الملف كبير جداً: الحد هو 100 بايت."),
    ],
)
def test_a_refusal_is_told_in_the_chosen_language(make_site, lang: str, words: str) -> None:  # noqa: ANN001
    site = make_site(max_upload_bytes=100)
    data = b"line_code,line_label,line_type,amount_chf\n" + b"REV_OTHER,x,revenue,1.00\n" * 3
    answer = site.upload(data, "a.csv", lang=lang)
    assert answer.status_code == 413
    assert words in answer.text


def test_the_status_page_in_russian(site: Site) -> None:
    page = site.client.get(
        "/oneitu/status?year=2024&lang=ru", headers={"X-Test-User": "finance:op"}
    )
    assert page.status_code == 200
    assert '<html lang="ru" dir="ltr">' in page.text
    assert "Представленные файлы и отчёт за 2024 год" in page.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "the file is too large: the limit is 100 bytes."),
        ("zh", "文件过大：上限为100字节。"),
        ("ar", "الملف كبير جداً: الحد هو 100 بايت."),
    ],
)
def test_the_status_page_gives_a_refusal_in_the_readers_language(
    make_site, lang: str, words: str
) -> None:  # noqa: ANN001
    """A refusal is stored with its key and values (migration 0010), not only in English,
    so that the status page lists it in whichever language its reader chose."""
    site = make_site(max_upload_bytes=100)
    data = b"line_code,line_label,line_type,amount_chf\n" + b"REV_OTHER,x,revenue,1.00\n" * 3
    assert site.upload(data, "a.csv", lang="fr").status_code == 413
    page = site.client.get(
        f"/oneitu/status?year=2024&lang={lang}", headers={"X-Test-User": "finance:op"}
    )
    reasons = re.findall(r'<span class="reason">(.*?)</span>', page.text, re.S)
    assert [" ".join(r.split()) for r in reasons] == [words]
