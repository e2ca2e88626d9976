"""The report as a PDF (WeasyPrint), in the font shipped with the product (Noto Sans,
static/fonts/noto-sans), so Vietnamese reads the same on every machine."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .selectors import Report, province_headings

STYLESHEET = "css/report-pdf.css"


def report_pdf(report: Report, *, title: str) -> bytes:
    css_path = Path(finders.find(STYLESHEET))
    html = render_to_string("reports/report_pdf.html", {
        "report": report, "title": title, "headings": province_headings()})
    fonts = FontConfiguration()  # @font-face rules load only through a font configuration
    return HTML(string=html, base_url=str(css_path.parent)).write_pdf(
        stylesheets=[CSS(filename=str(css_path), font_config=fonts)], font_config=fonts)
