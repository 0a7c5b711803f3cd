"""An invoice or credit note as an A4 PDF, drawn with reportlab like reports and certificates."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from core.infra.clock import uk_date
from core.infra.money import gbp
from core.reports.pdf import HEADER, MARGIN, STRIPE, document

ROUNDING = (
    "Prices include VAT. VAT is worked out once on the total (gross × rate ÷ (100% + rate)) "
    "and rounded half-up to the nearest penny; net = gross − VAT."
)


def _day(iso: str) -> str:
    return uk_date(date.fromisoformat(iso))


def _party(title: str, party: dict[str, str], styles: Any) -> Paragraph:
    lines = [f"<b>{title}</b>", party["name"], *party["address"].splitlines()]
    if party.get("vat_number"):
        lines.append(f"VAT no. {party['vat_number']}")
    return Paragraph("<br/>".join(_escape(x) if i else x for i, x in enumerate(lines)), styles)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(view: dict[str, Any]) -> bytes:
    """``view`` is ``invoices.invoice_json``'s output; returns the PDF bytes."""
    credit = view["kind"] == "credit_note"
    title = "Credit note" if credit else "Invoice"
    registered = bool(view["supplier"].get("vat_number"))
    buffer = io.BytesIO()
    doc = document(buffer, f"{title} {view['number']}", author=view["supplier"]["name"])
    styles = getSampleStyleSheet()
    width = A4[0] - 2 * MARGIN
    facts = [
        [f"{title} number", view["number"]],
        ["Date of issue (tax point)", _day(view["issued"])],
    ]
    if credit:
        facts.append(["Credits invoice", view["credits"] or ""])
    else:
        facts.append(["Payment due", _day(view["due"])])
    if view["po"]:
        facts.append(["Purchase order", view["po"]])
    story: list[Any] = [
        Paragraph(f"{title} {view['number']}", styles["Title"]),
        Table(
            [
                [
                    _party("From", view["supplier"], styles["Normal"]),
                    _party("To", view["customer"], styles["Normal"]),
                ]
            ],
            colWidths=[width / 2, width / 2],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        ),
        Spacer(1, 5 * mm),
        Table(
            facts,
            hAlign="LEFT",
            style=TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]),
        ),
        Spacer(1, 5 * mm),
    ]
    body: list[list[Any]] = [["Course, venue, date (booking)", "Attendee", "Amount"]]
    body += [
        [
            Paragraph(_escape(ln["description"]), styles["BodyText"]),
            ln["attendee"],
            gbp(ln["gross_pence"]),
        ]
        for ln in view["lines"]
    ]
    body += [
        ["", "Net", gbp(view["net_pence"])],
        [
            "",
            f"VAT at {view['vat_rate']}" if registered else "VAT (not VAT registered)",
            gbp(view["vat_pence"]),
        ],
        ["", "Total" if not credit else "Total credited", gbp(view["gross_pence"])],
    ]
    table = Table(body, repeatRows=1, colWidths=[width * 0.6, width * 0.25, width * 0.15])
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -4), [colors.white, STRIPE]),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (1, -3), (-1, -3), 0.8, HEADER),
                ("FONTNAME", (1, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    notes = [ROUNDING if registered else "Not VAT registered: no VAT is charged."]
    if credit and view["reason"]:
        notes.append(f"Reason: {_escape(view['reason'])}")
    if not credit:
        notes.append(
            f"Please pay {gbp(view['gross_pence'])} by {_day(view['due'])}, quoting "
            f"{view['number']}."
        )
    story += [Paragraph(n, styles["Italic"]) for n in notes]
    doc.build(story)
    return buffer.getvalue()
