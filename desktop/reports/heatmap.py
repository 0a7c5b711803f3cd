"""Weekday × start-time heat map: a small custom-painted widget (QtCharts has no heat map)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from core.reports.chart_data import HeatGrid
from desktop.style_sheet import colour


def cell_text(value: float | None) -> str:
    """``0.0%`` for an empty room, ``no sessions`` where nothing ran: never confused."""
    return "no sessions" if value is None else f"{value:.1f}%"


def shade(percent: float) -> QColor:
    """Pale for empty rooms, deep blue for full ones."""
    t = max(0.0, min(percent, 100.0)) / 100.0
    low, high = colour("heat-low"), colour("heat-high")
    return QColor(
        round(low.red() + (high.red() - low.red()) * t),
        round(low.green() + (high.green() - low.green()) * t),
        round(low.blue() + (high.blue() - low.blue()) * t),
    )


class HeatMap(QWidget):
    """Rows are weekdays (Monday first), columns start times, cells the percentage."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: HeatGrid | None = None
        self.setMinimumHeight(220)

    def set_grid(self, grid: HeatGrid) -> None:
        self.grid = grid
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), colour("paper"))
        grid = self.grid
        if grid is None or not grid.times:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No sessions in range")
            return
        left, top, bottom, right = 70.0, 36.0, 44.0, 100.0
        title = QFont(self.font())
        title.setBold(True)
        painter.setFont(title)
        painter.drawText(
            QRectF(0, 4, self.width(), 24),
            Qt.AlignmentFlag.AlignCenter,
            f"{grid.label} by weekday and start time",
        )
        painter.setFont(self.font())
        width = min(160.0, (self.width() - left - right) / len(grid.times))
        left = max(left, (self.width() - width * len(grid.times)) / 2)
        height = (self.height() - top - bottom) / len(grid.days)
        for r, day in enumerate(grid.days):
            y = top + r * height
            painter.setPen(colour("ink"))
            painter.drawText(
                QRectF(0, y, left - 8, height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                day,
            )
            for c, value in enumerate(grid.values[r]):
                cell = QRectF(left + c * width + 1, y + 1, width - 2, height - 2)
                painter.fillRect(cell, colour("heat-empty") if value is None else shade(value))
                dark = value is not None and value > 55
                painter.setPen(colour("on-strong") if dark else colour("ink"))
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, cell_text(value))
        painter.setPen(colour("ink"))
        for c, at in enumerate(grid.times):
            painter.drawText(
                QRectF(left + c * width, self.height() - bottom + 4, width, 18),
                Qt.AlignmentFlag.AlignCenter,
                at,
            )
        painter.drawText(
            QRectF(left, self.height() - 22, width * len(grid.times), 18),
            Qt.AlignmentFlag.AlignCenter,
            "Start time (UK)",
        )
        self._legend(painter, top, left + width * len(grid.times) + 30)
        painter.end()

    def _legend(self, painter: QPainter, top: float, x: float) -> None:
        """A 0-100% colour scale to the right of the grid."""
        height = self.height() - top - 60
        steps = 20
        for i in range(steps):
            painter.fillRect(
                QRectF(x, top + height * (steps - 1 - i) / steps, 14, height / steps + 1),
                shade(100 * i / (steps - 1)),
            )
        painter.setPen(colour("ink"))
        painter.drawText(QRectF(x + 18, top - 6, 50, 16), Qt.AlignmentFlag.AlignLeft, "100%")
        painter.drawText(
            QRectF(x + 18, top + height - 10, 50, 16), Qt.AlignmentFlag.AlignLeft, "0%"
        )
