"""Every message of the report has a French translation with the same placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from report_support import REPO

LOCALE = REPO / "reports" / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def extracted() -> set[str | tuple[str, ...]]:
    """Messages of the package's report code and of the templates, as pybabel finds them."""
    sources = [("python", p, {}) for p in sorted((REPO / "oneitu_etl" / "report").glob("*.py"))]
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
    sources += [
        ("jinja2", p, options) for p in sorted((REPO / "reports" / "templates").glob("*.j2"))
    ]
    found: set[str | tuple[str, ...]] = set()
    for method, path, opts in sources:
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=DEFAULT_KEYWORDS, options=opts
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
    assert len(messages) > 200


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_message_is_in_the_catalogue(lang: str) -> None:
    missing = extracted() - set(catalogue(lang))
    assert not missing, (
        f"run pybabel extract/update (reports/README.md): {sorted(map(str, missing))[:5]}"
    )


def test_french_translations_are_complete_and_keep_placeholders() -> None:
    for msgid, message in catalogue("fr").items():
        assert not message.fuzzy, msgid
        originals = msgid if isinstance(msgid, tuple) else (msgid,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(translations), f"no French for {msgid!r}"
        expected = sorted(set(PLACEHOLDER.findall(originals[-1])))
        for text in translations:
            assert sorted(set(PLACEHOLDER.findall(text))) == expected, msgid
            assert text.count("%%") == originals[-1].count("%%"), msgid
