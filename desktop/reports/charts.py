"""QtCharts for a report: bars for categories, a line for trends (axis labels, GBP, %)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, Qt
from PySide6.QtGui import QFont, QPainter, QPen

from core.reports.chart_data import ChartData, chart_data
from core.reports.model import Report
from desktop.style_sheet import colour

UK = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
SERIES = ("series-1", "series-2", "series-3", "series-4")  # names in the desk palette


def _value_axis(data: ChartData, kind: str, top: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setTitleText(data.y_label)
    if kind == "pct":
        axis.setRange(0, 100 if top >= 50 else max(10.0, top * 1.25))
        axis.setLabelFormat("%.0f%")  # localised numbers: the text after the number is kept as is
    elif data.money:  # £40,000: the chart writes numbers the UK way (see build_chart)
        axis.setRange(0, max(top * 1.1, 1))
        axis.setLabelFormat("£%.0f")
        axis.setTitleText("Pounds (£)")
    else:
        axis.setRange(0, max(top * 1.1, 1))
        axis.setLabelFormat("%.0f")
    axis.applyNiceNumbers()
    axis.setGridLineColor(colour("grid-line"))
    return axis


def build_chart(report: Report) -> QChart:
    """The report's bar or line chart, titled, with labelled axes and a legend if needed."""
    data = chart_data(report)
    chart = QChart()
    chart.setTitle(report.title)
    title = QFont()
    title.setPointSize(11)
    title.setBold(True)
    chart.setTitleFont(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setLocalizeNumbers(True)  # axis labels with thousands separators: £40,000, 1,200
    chart.setLocale(UK)
    chart.setMargins(QMargins(4, 4, 4, 4))
    categories = QBarCategoryAxis()
    categories.append(data.categories or [""])
    categories.setTitleText(data.x_label)
    if len(data.categories) > 10:
        categories.setLabelsAngle(-90)
        small = QFont()
        small.setPointSize(8)
        categories.setLabelsFont(small)
    top = max([v for s in data.series for v in s.values if v is not None] + [0.0])
    values = _value_axis(data, report.chart.get("kind", "int"), top)
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    if data.kind == "line":
        for i, s in enumerate(data.series):
            line = QLineSeries()
            line.setName(s.label)
            for x, y in enumerate(s.values):
                if y is not None:  # nothing there: no point, not a drop to zero
                    line.append(x, y)
            line.setPen(QPen(colour(SERIES[i % len(SERIES)]), 2.5))
            line.setPointsVisible(True)
            chart.addSeries(line)
            line.attachAxis(categories)
            line.attachAxis(values)
    else:
        bars = QBarSeries()
        for i, s in enumerate(data.series):
            bar_set = QBarSet(s.label)
            bar_set.append([v or 0.0 for v in s.values])
            bar_set.setColor(colour(SERIES[i % len(SERIES)]))
            bar_set.setBorderColor(colour(SERIES[i % len(SERIES)]))
            bars.append(bar_set)
        chart.addSeries(bars)
        bars.attachAxis(categories)
        bars.attachAxis(values)
    chart.legend().setVisible(len(data.series) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
    return chart


RENDER_HINT = QPainter.RenderHint.Antialiasing
