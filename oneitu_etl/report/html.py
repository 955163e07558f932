"""The HTML of the report: Jinja2 templates under ``reports/templates``.

Autoescaping is on for everything: a value from the data (an activity title, a file name)
is always text, never markup. The few pieces of markup built in Python (a table cell, a
badge) go through :class:`markupsafe.Markup` formatting, which escapes its arguments.
Translations come from the language's catalogue through ``jinja2.ext.i18n`` (new-style
gettext, which also escapes its placeholders).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from oneitu_etl.report.i18n import Language
from oneitu_etl.report.tables import NUMERIC_KINDS, Badge, Cell, Column, Measure

_NA = Markup('<span aria-hidden="true">\u2013</span><span class="visually-hidden">{}</span>')


def _measure(measure: Measure, lang: Language) -> str | None:
    fmt = lang.fmt
    value, unit = measure.value, measure.unit
    if unit == "percent":
        return fmt.points(value, 1, 2)
    if unit == "chf":
        return fmt.amount(value)
    if unit in ("index", "ratio"):
        return fmt.decimal(value, 2, 3)
    return fmt.decimal(value, 0, 2)


def format_value(value: Any, kind: str, lang: Language) -> str | None:
    """A cell's value as text for the reader (``None`` when there is nothing to show).

    Args:
        value: The raw value from a :class:`~oneitu_etl.report.tables.Table`.
        kind: The column's kind (or the cell's own, for a :class:`Cell`).
        lang: The language.

    Returns:
        The text, or ``None`` for a missing figure.
    """
    fmt = lang.fmt
    if isinstance(value, Cell):
        return format_value(value.value, value.kind, lang)
    if value is None:
        return None
    if isinstance(value, Badge):
        return f"{value.symbol} {value.label}"
    if isinstance(value, Measure):
        return _measure(value, lang)
    if kind == "timestamp":
        return fmt.timestamp(value)
    if kind == "date" and isinstance(value, dt.date):
        return fmt.date(value)
    if isinstance(value, str):
        return value
    formats = {
        "amount": fmt.amount,
        "signed": fmt.signed_amount,
        "count": fmt.count,
        "percent": fmt.percent,
        "signed_percent": fmt.signed_percent,
        "score": lambda v: fmt.fixed(v, 1),
        "year": str,
    }
    return formats.get(kind, str)(value)


def cell_html(value: Any, column: Column, lang: Language) -> Markup:
    """A table cell's content as safe HTML: badges, hashes, measures and dashes for gaps."""
    _ = lang.gettext
    kind = column.kind
    if isinstance(value, Cell):
        value, kind = value.value, value.kind
    if isinstance(value, Badge):
        return Markup(
            '<span class="badge badge-{}"><span class="badge-symbol" aria-hidden="true">{}</span> {}</span>'
        ).format(value.code, value.symbol, value.label)
    if isinstance(value, Measure):
        text = _measure(value, lang)
        if text is None:
            return _NA.format(_("not available"))
        if value.year:
            return Markup('{} <span class="year">({})</span>').format(text, value.year)
        return escape(text)
    if kind == "mono" and value:
        return Markup('<code class="hash">{}</code>').format(value)
    if kind == "code" and value:
        return Markup('<span class="code">{}</span>').format(value)
    text = format_value(value, kind, lang)
    if text is None:
        return _NA.format(_("not available"))
    return escape(text)


def cell_class(value: Any, column: Column) -> str:
    """CSS classes of a cell: ``num`` (right-aligned figures) or ``txt``, and its kind."""
    kind = value.kind if isinstance(value, Cell) else column.kind
    return f"{'num' if kind in NUMERIC_KINDS else 'txt'} kind-{kind}"


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;()-_'" and ch.isascii() else f"\\{ord(ch):x} "
        for ch in str(text)
    )
    return Markup(f'"{escaped}"')


def page_counter_css(label: str) -> Markup:
    """CSS ``content`` for a footer such as ``Page 3 of 12`` from a translated pattern.

    Args:
        label: A message with ``%(page)s`` and ``%(pages)s`` in it.

    Returns:
        The value of a CSS ``content`` property.
    """
    parts = re.split(r"(%\(pages?\)s)", label)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            out.append(str(css_string(part)))
    return Markup(" ".join(out))


class _CompiledTemplates(BytecodeCache):
    """The templates compiled once per process, shared by every language's environment.

    An environment is made per language (its gettext and formats), and each would compile
    the same templates again; Jinja checks the source's checksum before it reuses code.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment(templates_dir: Path, lang: Language) -> Environment:
    """A Jinja2 environment for one language: autoescaping, i18n, the report's filters."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        bytecode_cache=_COMPILED,
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(lang.gettext, lang.ngettext, newstyle=True)
    env.filters["css_string"] = css_string
    env.globals["cell_html"] = lambda value, column: cell_html(value, column, lang)
    env.globals["cell_class"] = cell_class
    env.globals["page_counter_css"] = page_counter_css
    return env


def render_html(
    templates_dir: Path,
    lang: Language,
    context: dict[str, Any],
    svgs: dict[str, str],
    *,
    medium: str = "screen",
) -> str:
    """Render ``report.html.j2`` for one language.

    Args:
        templates_dir: The ``reports/templates`` folder.
        lang: The language.
        context: From :func:`~oneitu_etl.report.context.build_context`.
        svgs: Chart key to its markup (from :func:`~oneitu_etl.report.charts.svg_markup`
            or :func:`~oneitu_etl.report.charts.png_markup`).
        medium: ``"screen"``, the published HTML (complete, and printable from a browser),
            or ``"print"``, the copy the PDF is made from: without the parts the print
            stylesheet hides (the full versions of the tables the PDF shortens), which
            would cost the PDF's layout time and show nothing.

    Returns:
        The HTML document.
    """
    if medium not in ("screen", "print"):
        raise ValueError(f"medium must be 'screen' or 'print', not {medium!r}")
    env = environment(templates_dir, lang)
    template = env.get_template("report.html.j2")
    return template.render(**context, medium=medium, svgs={k: Markup(v) for k, v in svgs.items()})
