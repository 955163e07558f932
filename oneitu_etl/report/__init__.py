"""The annual report for the Council: HTML and PDF in English and French, and the workbook.

The one entry point is :func:`render_report`; it reads ``report_<Y>.json`` (as a dict)
and the reference names, nothing else. Modules, in the order data flows through them:
``names`` (reference names per language), ``i18n`` (catalogues and number formats),
``tables`` and ``context`` (pure builders of the content), ``charts`` (matplotlib
figures), ``html``, ``pdf`` and ``workbook`` (renderers), ``writer`` (writes the files).
"""

from oneitu_etl.report.writer import render_html_report, render_report

__all__ = ["render_html_report", "render_report"]
