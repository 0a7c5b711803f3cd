"""The branded A4 certificate, drawn with reportlab from ``resources/certificates/layout.json``.

The layout file holds the wording, fonts, positions and brand colours; this module only
fills in the holder's details and draws it.
"""

from __future__ import annotations

import io
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.certificates.issuing import CertificateView, view_of
from core.infra.clock import uk_date
from core.infra.resources import resource
from core.models import Course, Venue
from core.models.attendance import Certificate

if TYPE_CHECKING:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas


@cache
def layout() -> dict[str, Any]:
    return dict(json.loads(resource("certificates", "layout.json").read_text(encoding="utf-8")))


def fields(cert: CertificateView, hours: float) -> dict[str, str]:
    """The values a layout's ``{placeholders}`` may use."""
    if cert.expires:
        note = f"This certificate is valid for the period shown, until {uk_date(cert.expires)}."
    else:
        note = "This course carries no expiry date."
    return {
        "holder": cert.attendee,
        "course": cert.course,
        "venue": cert.venue,
        "hours": f"{hours:g}",
        "number": cert.number,
        "issued": uk_date(cert.issued),
        "issued_long": f"{cert.issued.day} {cert.issued:%B %Y}",
        "expires": uk_date(cert.expires) if cert.expires else "No expiry",
        "trainer": cert.trainer or "RFT trainer",
        "validity_note": note,
    }


def _logo(c: Canvas, x: float, y: float, size: float, colour: Color) -> None:
    """The first-aid mark: a white cross on a green square."""
    c.setFillColor(colour)
    c.roundRect(x, y, size, size, size * 0.12, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    bar = size * 0.22
    c.rect(x + (size - bar) / 2, y + size * 0.18, bar, size * 0.64, stroke=0, fill=1)
    c.rect(x + size * 0.18, y + (size - bar) / 2, size * 0.64, bar, stroke=0, fill=1)


def render(cert: CertificateView, hours: float) -> bytes:
    """One A4 landscape page as PDF bytes."""
    # reportlab (and Pillow with it) loads with the first certificate, not with the app
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    spec = layout()
    brand = spec["brand"]
    colours = {k: HexColor(v) for k, v in brand["colours"].items()}
    values = fields(cert, hours)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"{cert.course}: {cert.attendee} ({cert.number})")
    c.setAuthor(brand["name"])
    c.setFillColor(colours["paper"])
    c.rect(0, 0, width, height, stroke=0, fill=1)
    c.setStrokeColor(colours["primary"])
    c.setLineWidth(6)
    c.rect(18, 18, width - 36, height - 36)
    c.setLineWidth(1)
    c.rect(28, 28, width - 56, height - 56)
    _logo(c, 54, height - 110, 56, colours["primary"])
    c.setFillColor(colours["accent"])
    c.setFont("Helvetica-Bold", 20)
    c.drawString(124, height - 76, brand["name"])
    c.setFont("Helvetica", 11)
    c.setFillColor(colours["muted"])
    c.drawString(124, height - 94, brand["tagline"])
    for line in spec["lines"]:
        c.setFont(line["font"], line["size"])
        c.setFillColor(colours[line["colour"]])
        c.drawCentredString(width / 2, height * line["y"], line["text"].format(**values))
    column = (width - 120) / len(spec["details"])
    for i, item in enumerate(spec["details"]):
        x = 60 + column * i + column / 2
        c.setStrokeColor(colours["muted"])
        c.line(x - column / 2 + 12, 150, x + column / 2 - 12, 150)
        c.setFillColor(colours["ink"])
        c.setFont("Helvetica-Bold", 13)
        c.drawCentredString(x, 158, item["value"].format(**values))
        c.setFillColor(colours["muted"])
        c.setFont("Helvetica", 9)
        c.drawCentredString(x, 138, item["label"].upper())
    c.setFont("Helvetica", 8.5)
    c.drawCentredString(width / 2, 72, spec["small_print"].format(**values))
    c.drawCentredString(width / 2, 58, brand["address"])
    c.showPage()
    c.save()
    return buffer.getvalue()


def pdf_for(tx: Session, cert: Certificate) -> bytes:
    """The PDF for a stored certificate."""
    course = tx.get_one(Course, cert.course_id)
    venue = tx.get_one(Venue, cert.venue_id)
    return render(view_of(cert, venue.name), float(sum(course.day_hours)))
