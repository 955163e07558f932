"""Message catalogues and locale-aware formatting for the report.

Every string a reader sees goes through a gettext catalogue: the ``messages.po`` files
under ``reports/locale/<lang>/LC_MESSAGES/``, loaded by :mod:`oneitu_etl.catalogue` (the
one gettext system, shared with the upload page and the validator's messages). Numbers, percentages and dates are formatted with Babel's CLDR
data: ``en`` uses the ``en_GB`` locale (``CHF 1,234,567.89``, ``28 November 2026``) and
``fr`` the ``fr`` locale (``1 234 567,89 CHF``). ``fr_CH`` is not used: CLDR 46 as
shipped with Babel formats Swiss French amounts without grouping (``1234567,89 CHF``)
or with an apostrophe, neither of which is the contract's form.

Spaces inside a formatted value (the French thousands separator, the space before
``CHF`` or ``%``) are always U+00A0 NO-BREAK SPACE, so that a figure never wraps and
every font has the glyph (CLDR's French separator is U+202F, which is normalised); a
negative number's sign is U+2212 MINUS SIGN, as typesetting writes it, not a hyphen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from oneitu_etl.catalogue import BABEL_LOCALES, direction, load_translations
from oneitu_etl.report.names import Names

NBSP = "\u00a0"
MINUS = "\u2212"
#: A hyphen-minus before a digit: the sign of a negative number, printed as a minus.
_MINUS = re.compile(r"-(?=\d|CHF)")
_SPACES = re.compile("[\u202f\u00a0 ]")
# CLDR currencySpacing, which Babel does not apply: an alphabetic currency code next to
# a digit gets a no-break space ("CHF1" -> "CHF 1").
_CODE_BEFORE_DIGIT = re.compile(r"([A-Z]{3})(?=\d)")
_DIGIT_BEFORE_CODE = re.compile(r"(?<=\d)([A-Z]{3})")

Gettext = Callable[[str], str]


def _nbsp(text: str) -> str:
    """A formatted value that never wraps, its minus sign a true minus (U+2212)."""
    return _MINUS.sub(MINUS, _SPACES.sub(NBSP, text))


class Formatter:
    """Formats figures for one language; ``None`` always gives ``None`` (shown as a dash).

    Args:
        lang: ``en`` or ``fr``.
        gettext: The language's ``gettext``, for the few words around a figure.
    """

    def __init__(self, lang: str, gettext: Gettext) -> None:
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        self._ = gettext
        percent = self.locale.percent_formats[None].pattern
        self._percent_patterns = {
            digits: percent.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""), 1)
            for digits in range(3)
        }
        self._percent_sign = _nbsp(format_percent(0, locale=self.locale)).replace("0", "")

    def amount(self, value: float | None) -> str | None:
        """An amount without currency, 2 decimals: ``1,234,567.89`` / ``1 234 567,89``."""
        if value is None:
            return None
        return _nbsp(format_decimal(value, "#,##0.00", locale=self.locale))

    def money(self, value: float | None, currency: str = "CHF") -> str | None:
        """An amount with its currency: ``CHF 1,234,567.89`` / ``1 234 567,89 CHF``."""
        if value is None:
            return None
        text = _nbsp(format_currency(value, currency, locale=self.locale))
        text = _CODE_BEFORE_DIGIT.sub(r"\1" + NBSP, text)
        return _DIGIT_BEFORE_CODE.sub(NBSP + r"\1", text)

    def millions(self, value: float | None, currency: str = "CHF") -> str | None:
        """A rounded amount in millions: ``CHF 174.0 million`` / ``174,0 millions de CHF``."""
        if value is None:
            return None
        number = _nbsp(format_decimal(value / 1e6, "#,##0.0", locale=self.locale))
        text = self._("%(currency)s %(amount)s million") % {"currency": currency, "amount": number}
        return _nbsp(text)

    def number(self, value: float | None, max_digits: int = 2) -> str | None:
        """A plain number with up to ``max_digits`` decimals: ``1,234.5``."""
        if value is None:
            return None
        pattern = "#,##0" + ("." + "#" * max_digits if max_digits else "")
        return _nbsp(format_decimal(value, pattern, locale=self.locale))

    def decimal(self, value: float | None, digits: int, max_digits: int) -> str | None:
        """A number with at least ``digits`` and at most ``max_digits`` decimals."""
        if value is None:
            return None
        pattern = "#,##0" + ("." if max_digits else "") + "0" * digits + "#" * (max_digits - digits)
        return _nbsp(format_decimal(value, pattern, locale=self.locale))

    def fixed(self, value: float | None, digits: int) -> str | None:
        """A number with exactly ``digits`` decimals: ``0.61`` / ``0,61``."""
        if value is None:
            return None
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return _nbsp(format_decimal(value, pattern, locale=self.locale))

    def count(self, value: int | float | None) -> str | None:
        """A whole number: ``1,820`` / ``1 820``."""
        if value is None:
            return None
        return _nbsp(format_decimal(value, "#,##0", locale=self.locale))

    def percent(self, fraction: float | None, digits: int = 1) -> str | None:
        """A fraction as a percentage: 0.253 -> ``25.3%`` / ``25,3 %``."""
        if fraction is None:
            return None
        return _nbsp(format_percent(fraction, self._percent_patterns[digits], locale=self.locale))

    def points(
        self, value: float | None, digits: int = 1, max_digits: int | None = None
    ) -> str | None:
        """A value already in percent (68.25) with the locale's sign: ``68.25%`` / ``68,25 %``.

        Args:
            value: The value, in percent.
            digits: Decimals always shown.
            max_digits: Decimals shown when needed (``digits`` when not given).
        """
        if value is None:
            return None
        extra = max(0, (max_digits or digits) - digits)
        pattern = "#,##0" + ("." if digits or extra else "") + "0" * digits + "#" * extra
        text = _nbsp(format_decimal(value, pattern, locale=self.locale))
        return text + self._percent_sign

    def signed_amount(self, value: float | None) -> str | None:
        """A change in an amount, always signed: ``+1,234.00`` / ``-1 234,00``."""
        if value is None:
            return None
        return _nbsp(format_decimal(value, "+#,##0.00;-#,##0.00", locale=self.locale))

    def signed_percent(self, fraction: float | None) -> str | None:
        """A relative change, always signed: ``+2.5%`` / ``-2,5 %``."""
        if fraction is None:
            return None
        text = self.percent(fraction)
        return text if text.startswith("-") else "+" + text

    def date(self, value: dt.date | None) -> str | None:
        """A date in full: ``28 November 2026`` / ``28 novembre 2026``."""
        if value is None:
            return None
        return _nbsp(format_date(value, "long", locale=self.locale))

    def timestamp(self, value: str | None) -> str | None:
        """An ISO 8601 time of arrival, in UTC: ``28 Nov 2026, 10:00`` / ``28 nov. 2026, 10:00``."""
        if not value:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        pattern = self.locale.datetime_formats["medium"].replace("{1}", "{d}").replace("{0}", "{t}")
        day = format_date(moment.astimezone(dt.UTC).date(), "medium", locale=self.locale)
        time = format_datetime(moment, "HH:mm", tzinfo=dt.UTC, locale=self.locale)
        return _nbsp(pattern.replace("'", "").format(d=day, t=time) + " UTC")


@dataclass(frozen=True)
class Language:
    """Everything one language of the report needs: messages, formats and names."""

    code: str
    gettext: Gettext
    ngettext: Callable[[str, str, int], str]
    fmt: Formatter
    names: Names

    @property
    def direction(self) -> str:
        """``rtl`` for a language written right to left (Arabic), else ``ltr`` (CLDR)."""
        return direction(self.code)


def language(code: str, locale_dir: Path, names: Names) -> Language:
    """Bundle the catalogue, formatter and reference names of one language.

    Args:
        code: ``en`` or ``fr``.
        locale_dir: The ``reports/locale`` folder.
        names: Reference names in that language.

    Returns:
        The language bundle the builders receive.
    """
    if code not in BABEL_LOCALES:
        raise ValueError(
            f"unsupported report language {code!r}: expected one of {tuple(BABEL_LOCALES)}"
        )
    translations = load_translations(Path(locale_dir), code)
    return Language(
        code=code,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        fmt=Formatter(code, translations.gettext),
        names=names,
    )
