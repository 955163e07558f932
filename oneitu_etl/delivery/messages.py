"""The delivery page's words in the six languages, from the project's one gettext system.

Every label and sentence of the page is a msgid: in the templates (``_("...")``,
``templates/*.j2``) or, for the words that name a value (a file's kind, an outcome), in
:data:`WORDS` below. All are translated in ``reports/locale/<lang>/LC_MESSAGES/
messages.po``, the report's catalogues (:mod:`oneitu_etl.catalogue`). The validator's
problems and the reasons for a refused upload are said in the reader's language by
:func:`oneitu_etl.issue_text.render`.
Numbers and sizes are written by Babel for the language's locale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from babel.dates import format_date
from babel.numbers import format_decimal

from oneitu_etl.catalogue import BABEL_LOCALES, translations
from oneitu_etl.issue_text import N_, render
from oneitu_etl.issues import Issue
from oneitu_etl.settings import LANGUAGES

#: Each language's name in itself, for the language chooser.
LANGUAGE_NAMES = {
    "ar": "العربية",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
    "zh": "中文",
}

#: The words for a value the page shows: group -> value -> msgid.
WORDS: dict[str, dict[str, str]] = {
    "kind": {
        "financial_statements": N_("financial statements (workbook)"),
        "financial_performance": N_("statement of financial performance"),
        "budget_comparison": N_("budget comparison"),
        "expense_allocation": N_("expense allocation"),
        "expense_ledger": N_("expense ledger"),
        "activities": N_("activities"),
        "indicator_definitions": N_("indicator definitions"),
        "indicator_values": N_("indicator values"),
        "budget_allocation": N_("budget allocation (planned resources)"),
        "budget_reconciliation": N_("budget reconciliation (IPSAS 24)"),
        "narratives": N_("narratives"),
        "staff": N_("staff figures"),
        "membership": N_("membership figures"),
        "council_document": N_("Council document"),
    },
    "severity": {"error": N_("error"), "warning": N_("warning")},
    "delivery": {"loaded": N_("loaded"), "rejected": N_("rejected"), "pending": N_("pending")},
    "upload": {
        "delivered": N_("delivered"),
        "unchanged": N_("unchanged"),
        "rejected": N_("rejected (%(errors)s errors)"),
        "refused": N_("refused"),
    },
    "event": {"emitted": N_("requested"), "failed": N_("not requested")},
}

#: Units of a size, smallest first.
_SIZE_UNITS = (N_("%(size)s bytes"), N_("%(size)s KB"), N_("%(size)s MB"), N_("%(size)s GB"))


def language(value: str | None) -> str:
    """A supported language code: ``value`` if it is one, else English."""
    return value if value in LANGUAGES else "en"


def gettext(lang: str, msgid: str, **fields: object) -> str:
    """The msgid ``msgid`` in ``lang``, its ``%(name)s`` fields filled."""
    text = translations(language(lang)).gettext(msgid)
    return text % fields if fields else text


def gettext_for(lang: str) -> Callable[..., str]:
    """``_`` for the page's templates: ``_("Signed in as %(user)s", user=...)``."""
    return lambda msgid, **fields: gettext(lang, msgid, **fields)


def word(lang: str, group: str, value: str, **fields: object) -> str:
    """The word for ``value`` in ``group`` (:data:`WORDS`), in ``lang``; the value itself
    when it has none."""
    msgid = WORDS[group].get(value)
    return gettext(lang, msgid, **fields) if msgid else value


def number(lang: str, value: float, digits: int = 0) -> str:
    """A number for the page, by Babel for ``lang``'s locale (Western digits)."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, pattern, locale=BABEL_LOCALES[language(lang)])


def date(lang: str, value: str | None) -> str:
    """An ISO date (``2026-11-29``) in full for ``lang``, by Babel: ``29 November 2026``;
    the text itself when it is not a date."""
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(day, "long", locale=BABEL_LOCALES[language(lang)])


def _plain_number(lang: str, value: float, digits: int) -> str:
    """A number below 1,024 for a size: no grouping, the locale's decimal sign."""
    pattern = "0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=BABEL_LOCALES[language(lang)])


def refusal_text(lang: str, key: str, params: Mapping[str, object]) -> str:
    """Why an upload was refused, in ``lang`` (a ``limit`` field shown as a size)."""
    fields = dict(params)
    if "limit" in fields:
        fields["limit"] = size_text(lang, int(fields["limit"]))  # type: ignore[arg-type]
    said = render(key, {k: _stored(v) for k, v in fields.items()}, language(lang))
    return said if said is not None else key


def _stored(value: object) -> object:
    """A refusal's parameter as :func:`~oneitu_etl.issue_text.render` takes it."""
    code = getattr(value, "code", None)
    return {"code": code, "params": value.params} if code else value  # type: ignore[attr-defined]


def size_text(lang: str, size: int) -> str:
    """A size for people: ``50 MB`` / ``50 Mo``."""
    value = float(size)
    for index, unit in enumerate(_SIZE_UNITS):
        if value < 1024 or index == len(_SIZE_UNITS) - 1:
            digits = 0 if index == 0 or value == int(value) else 1
            return gettext(lang, unit, size=_plain_number(lang, round(value, digits), digits))
        value /= 1024
    raise AssertionError("unreachable")


def issue_message(issue: Issue, lang: str) -> tuple[str, str]:
    """The issue's message in ``lang`` and the language it is actually in.

    Returns:
        ``(message, language)``; the language is ``en`` when the issue has no code, or one
        this version no longer knows (its English message is shown).
    """
    lang = language(lang)
    said = render(issue.code, issue.params or {}, lang) if issue.code else None
    return (said, lang) if said is not None else (issue.message, "en")
