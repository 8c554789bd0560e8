"""The machinery of printed forms, for every app's forms: an A4 page in HTML, or the same page as PDF
with `?format=pdf` (WeasyPrint, Noto Sans CJK embedded), QR codes for labels, and the small helpers
that put values on paper. The data of each form is its app's (`<app>/forms_print.py`); which forms a
subject has is registered (`core/registry.register_print_form`).
"""

import re

import segno
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# A fixed mask pattern: choosing the best of eight for each code costs ~2 ms a code; any mask scans.
QR_MASK = 4
QR_ERROR_LEVEL = "m"  # labels get scuffed in the warehouse: medium error correction
QR_BORDER = 2  # modules of quiet zone around the code
_DARK_RUN = re.compile(rb"\x01+")


def render_form(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The form as a page, or as a PDF download named `filename`.pdf when the request asks for one."""
    if request.GET.get("format") == "pdf":
        return _pdf_response(render_to_string(template, {**context, "pdf": True}, request), filename)
    return render(request, template, context)


def _pdf_response(html: str, filename: str) -> HttpResponse:
    # Imported here: WeasyPrint takes a while to import and only PDF requests need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Everything a form needs is inline; never let a page make the server fetch URLs or files.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def qr_svg(content: str) -> str:
    """The QR code as inline SVG: one path of horizontal strokes, sized by the label's CSS through the viewBox.

    The markup of segno's `svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None)`, drawn here
    from the code's matrix at a third of the cost (a page of labels draws 48). Only the matrix goes into the
    SVG, never the content as text."""
    matrix = segno.make(content, error=QR_ERROR_LEVEL, micro=False, mask=QR_MASK).matrix
    size = len(matrix) + 2 * QR_BORDER
    # Each run of dark modules is a stroke along the middle of its row, moved to from where the last one ended.
    moves, x, y = [], 0, 0.0
    for row_number, row in enumerate(matrix):
        row_y = QR_BORDER + row_number + .5
        for run in _DARK_RUN.finditer(row):
            start, end, dy = QR_BORDER + run.start(), QR_BORDER + run.end(), row_y - y
            moves.append(f"{'m' if moves else 'M'}{start - x} {int(dy) if dy.is_integer() else dy}h{end - start}")
            x, y = end, row_y
    path = "".join(moves)
    return mark_safe(f'<svg viewBox="0 0 {size} {size}" class="qr"><path stroke="#000" d="{path}"/></svg>')


# --- values on paper ---

def choice_labels(choices) -> dict[str, str]:
    """A choices class as {value: label}, translated once per request (not once per row)."""
    return {value: str(label) for value, label in choices}


def moment(value) -> str:
    # Formatted here rather than with |date in the template: a thousand rows render noticeably faster.
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def moments():
    """moment() for the rows of one form: the time zone looked up once, each distinct moment formatted once
    (the units of a scan or an inspection batch share theirs)."""
    zone, done = timezone.get_current_timezone(), {}

    def text(value) -> str:
        if not value:
            return ""
        found = done.get(value)
        if found is None:
            found = done[value] = value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        return found

    return text


def day(value) -> str:
    return value.isoformat() if value else ""


def provisional_mark(due_at) -> str:
    # On paper there is no hover title: the mark says why in full.
    return _("provisional: the official holiday schedule of %(year)s is not confirmed") % {
        "year": timezone.localtime(due_at).year}


def who(relation: str) -> tuple[str, str, str]:
    """The columns naming a user in .values(): username, first and last name."""
    return f"{relation}__username", f"{relation}__first_name", f"{relation}__last_name"


def person(row: dict, relation: str) -> str:
    """A user as on paper: the full name, else the username ("" for nobody)."""
    full = f"{row.get(f'{relation}__first_name') or ''} {row.get(f'{relation}__last_name') or ''}".strip()
    return full or row.get(f"{relation}__username") or ""
