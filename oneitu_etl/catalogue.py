"""The one gettext system: the message catalogues of the report, the upload page and the
validator's messages.

Every sentence a reader sees, in any of the six languages, comes from
``reports/locale/<lang>/LC_MESSAGES/messages.po``. The catalogues are compiled in memory
when first used (Babel's ``read_po`` then ``write_mo``), so no ``.mo`` file is committed or
built; fuzzy entries are left out, as ``msgfmt`` would.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from oneitu_etl.settings import LANGUAGES, PROJECT_ROOT

#: The catalogues: ``<lang>/LC_MESSAGES/messages.po`` and ``messages.pot``.
LOCALE_DIR = PROJECT_ROOT / "reports" / "locale"

#: The Babel locale used for each language. Chinese is Simplified, as the United Nations
#: write it. Every language writes Western digits (Babel's default ``latn`` numbering
#: system), Arabic included: the Union's Arabic documents write figures so
#: (docs/translations.md).
BABEL_LOCALES = {
    "ar": "ar",
    "en": "en_GB",
    "es": "es",
    "fr": "fr",
    "ru": "ru",
    "zh": "zh_Hans_CN",
}


@lru_cache(maxsize=16)
def load_translations(locale_dir: Path, lang: str) -> Translations:
    """Compile ``<locale_dir>/<lang>/LC_MESSAGES/messages.po`` in memory.

    Args:
        locale_dir: The ``reports/locale`` folder.
        lang: One of :data:`~oneitu_etl.settings.LANGUAGES`.

    Returns:
        The catalogue; fuzzy entries are left out, as ``msgfmt`` would.
    """
    po_path = Path(locale_dir) / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=BABEL_LOCALES[lang], domain="messages")
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def translations(lang: str) -> Translations:
    """The project's catalogue for ``lang`` (English for a code it does not know)."""
    return load_translations(LOCALE_DIR, lang if lang in LANGUAGES else "en")


def direction(lang: str) -> str:
    """``rtl`` for a language written right to left (Arabic), else ``ltr`` (CLDR)."""
    order = Locale.parse(BABEL_LOCALES[lang]).character_order
    return "rtl" if order == "right-to-left" else "ltr"
