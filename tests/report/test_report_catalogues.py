"""Every message of the report, the upload page and the validator is in the catalogues, with
a translation in each of the five other languages that keeps its placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from report_support import REPO

LOCALE = REPO / "reports" / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
OTHER_LANGUAGES = ["ar", "es", "fr", "ru", "zh"]


def extracted() -> set[str | tuple[str, ...]]:
    """Every message pybabel finds with ``reports/babel.cfg`` (the report's code and
    templates, the upload page, the validator's messages and the declared rules)."""
    with (REPO / "reports" / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: set[str | tuple[str, ...]] = set()
    for _path, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def catalogue(lang: str) -> dict[str | tuple[str, ...], object]:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m for m in read_po(handle) if m.id}


def test_code_and_templates_have_messages() -> None:
    messages = extracted()
    assert "Strategic Plan implementation report %(year)s" in messages
    assert "Skip to main content" in messages
    assert "Check and deliver" in messages  # the upload page
    assert "value is missing; {expected} is required" in messages  # the validator
    assert "end_date {value} is before start_date {start_date}" in messages  # expectations/
    assert "an org unit" in messages  # a declared column's label
    assert len(messages) > 500


@pytest.mark.parametrize("lang", ["ar", "en", "es", "fr", "ru", "zh"])
def test_every_message_is_in_the_catalogue(lang: str) -> None:
    missing = extracted() - set(catalogue(lang))
    assert not missing, (
        f"run pybabel extract/update (reports/README.md): {sorted(map(str, missing))[:5]}"
    )


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_translations_are_complete_and_keep_placeholders(lang: str) -> None:
    for msgid, message in catalogue(lang).items():
        assert not message.fuzzy, msgid
        originals = msgid if isinstance(msgid, tuple) else (msgid,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(translations), f"no {lang} for {msgid!r}"
        expected = sorted(set(PLACEHOLDER.findall(originals[-1])))
        for text in translations:
            assert sorted(set(PLACEHOLDER.findall(text))) == expected, msgid
            assert text.count("%%") == originals[-1].count("%%"), msgid
