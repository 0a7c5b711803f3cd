"""A4 PDF of a report: title, filters, the chart, then the table (reportlab; no Qt in core)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.infra.clock import uk_datetime
from core.notify.render import BRAND
from core.reports.chart_data import chart_data, heat_grid
from core.reports.export import display_rows, filter_summary
from core.reports.model import Report

PALETTE = [colors.HexColor(c) for c in ("#1f5f8b", "#e07b39", "#3a9d5d", "#8e5ea2")]
HEADER = colors.HexColor("#1f3b57")
STRIPE = colors.HexColor("#f1f4f8")
MARGIN = 15 * mm


def _axis_text(value: float, money: bool, pct: bool) -> str:
    if money:
        return f"£{value:,.0f}"
    return f"{value:,.0f}%" if pct else f"{value:,.0f}"


def _bar_or_line(report: Report, width: float, height: float) -> Drawing:
    data = chart_data(report)
    drawing = Drawing(width, height)
    chart = VerticalBarChart() if data.kind == "bar" else HorizontalLineChart()
    pct = report.chart.get("kind") == "pct"
    chart.x, chart.y = 62, 50 if len(data.categories) > 8 else 36
    chart.width, chart.height = width - 72, height - chart.y - 28
    line = data.kind == "line"  # a line skips what is missing; a bar of nothing is 0
    values = [[v if v is not None or line else 0.0 for v in s.values] for s in data.series]
    values = values or [[0.0]]
    chart.data = values
    chart.categoryAxis.categoryNames = data.categories or [""]
    chart.categoryAxis.labels.fontSize = 7
    if len(data.categories) > 8:
        chart.categoryAxis.labels.angle = 35
        chart.categoryAxis.labels.boxAnchor = "ne"
    top = max([x for v in values for x in v if x is not None] + [1.0])
    chart.valueAxis.valueMin = 0
    if pct:
        chart.valueAxis.valueMax = 100.0 if top >= 50 else max(10.0, top * 1.25)
    else:
        chart.valueAxis.valueMax = top * 1.1
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: _axis_text(v, data.money, pct)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    for i in range(len(values)):
        if data.kind == "bar":
            chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
            chart.bars[i].strokeColor = None
        else:
            chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            chart.lines[i].strokeWidth = 2
    drawing.add(chart)
    drawing.add(String(chart.x - 40, height - 14, data.y_label, fontSize=8, fillColor=colors.grey))
    drawing.add(
        String(
            chart.x + chart.width / 2,
            2,
            data.x_label,
            fontSize=8,
            textAnchor="middle",
            fillColor=colors.grey,
        )
    )
    if len(data.series) > 1:
        legend = Legend()
        legend.x, legend.y = width - 170, height - 8
        legend.columnMaximum = 1
        legend.deltax = 80
        legend.alignment = "right"
        legend.fontSize = 7
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], s.label) for i, s in enumerate(data.series)
        ]
        drawing.add(legend)
    return drawing


def _heat(report: Report, width: float, height: float) -> Drawing:
    grid = heat_grid(report)
    drawing = Drawing(width, height)
    left, bottom = 45, 25
    cols, rows = max(1, len(grid.times)), max(1, len(grid.days))
    cell_w, cell_h = (width - left - 10) / cols, (height - bottom - 15) / rows
    for r, day in enumerate(grid.days):
        y = height - 15 - (r + 1) * cell_h
        drawing.add(String(left - 6, y + cell_h / 2 - 3, day, fontSize=8, textAnchor="end"))
        for c, value in enumerate(grid.values[r]):
            x = left + c * cell_w
            shade = (
                colors.HexColor("#eeeeee")
                if value is None
                else colors.linearlyInterpolatedColor(
                    colors.HexColor("#fff5eb"),
                    colors.HexColor("#1f5f8b"),
                    0,
                    100,
                    min(value, 100.0),
                )
            )
            drawing.add(Rect(x, y, cell_w - 2, cell_h - 2, fillColor=shade, strokeColor=None))
            if value is None:
                drawing.add(
                    String(
                        x + cell_w / 2,
                        y + cell_h / 2 - 3,
                        "no sessions",
                        fontSize=6,
                        fillColor=colors.grey,
                        textAnchor="middle",
                    )
                )
            else:
                ink = colors.white if value > 55 else colors.black
                drawing.add(
                    String(
                        x + cell_w / 2,
                        y + cell_h / 2 - 3,
                        f"{value:.0f}%",
                        fontSize=8,
                        fillColor=ink,
                        textAnchor="middle",
                    )
                )
    for c, at in enumerate(grid.times):
        drawing.add(
            String(left + c * cell_w + cell_w / 2, bottom - 12, at, fontSize=8, textAnchor="middle")
        )
    drawing.add(
        String(
            width / 2,
            0,
            f"Start time (London); cells show {grid.label.lower()}",
            fontSize=8,
            textAnchor="middle",
        )
    )
    return drawing


NUMERIC = ("int", "pct", "money", "days")
HEAD_STYLE = ParagraphStyle(
    "head", fontName="Helvetica-Bold", fontSize=8, leading=9.5, textColor=colors.white
)


def _header_cell(label: str, numeric: bool) -> Paragraph:
    """Headers wrap onto two lines rather than run into the next column."""
    return Paragraph(label, ParagraphStyle("h", parent=HEAD_STYLE, alignment=2 if numeric else 0))


def _column_widths(report: Report, rows: list[list[str]], width: float) -> list[float]:
    """Share the page width by each column's longest cell (headers may wrap)."""
    need = []
    for i, column in enumerate(report.columns):
        longest = max(len(r[i]) for r in rows)
        words = max(len(w) for w in column.label.split())
        need.append(max(longest, words, 6) + 2)
    return [width * n / sum(need) for n in need]


def document(
    buffer: io.BytesIO,
    title: str,
    *,
    pagesize: tuple[float, float] = A4,
    author: str = BRAND["company"],
) -> SimpleDocTemplate:
    """A page in the house style (margins, title and author in the PDF's properties) for
    reports, invoices and compliance lists."""
    return SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
    )


def to_pdf(report: Report, out: Path | None = None) -> bytes:
    """Render ``report``; landscape when the table is wide. Returns the PDF bytes."""
    wide = len(report.columns) > 7
    page = landscape(A4) if wide else A4
    buffer = io.BytesIO()
    doc = document(buffer, report.title, pagesize=page)
    styles = getSampleStyleSheet()
    width = page[0] - 2 * MARGIN
    story = [
        Paragraph(report.title, styles["Title"]),
        Paragraph(
            f"{filter_summary(report)}. Produced {uk_datetime_text(report.generated_at)}.",
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    if report.rows:
        height = 62 * mm if wide else 80 * mm
        chart = _heat if report.chart["type"] == "heatmap" else _bar_or_line
        story += [chart(report, width, height), Spacer(1, 5 * mm)]
    rows = display_rows(report)
    body = [[c.label for c in report.columns], *rows] if rows else [["No data in this range."]]
    widths = _column_widths(report, rows, width) if rows else None
    if rows:
        body[0] = [_header_cell(c.label, c.kind in NUMERIC) for c in report.columns]
    table = Table(body, repeatRows=1, hAlign="LEFT", colWidths=widths)
    style: list[tuple[Any, ...]] = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    for i, column in enumerate(report.columns):
        if column.kind in NUMERIC:
            style.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    if report.totals and rows:
        style += [
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, HEADER),
        ]
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 4 * mm)]
    story += [Paragraph(note, styles["Italic"]) for note in report.notes]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    data = buffer.getvalue()
    if out is not None:
        out.write_bytes(data)
    return data


def _footer(canvas: Any, doc: Any) -> None:
    """The company's name, the report and the page number at the foot of every page."""
    canvas.saveState()
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(colors.grey)
    y = MARGIN / 2
    canvas.drawString(MARGIN, y, f"{BRAND['company']} · {doc.title}")
    canvas.drawRightString(doc.pagesize[0] - MARGIN, y, f"Page {doc.page}")
    canvas.restoreState()


def uk_datetime_text(iso: str) -> str:
    return uk_datetime(datetime.fromisoformat(iso)) if iso else ""
