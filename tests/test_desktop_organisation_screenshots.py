"""``rft desk --screenshots`` pictures an employer: the bulk order's review and the
Organisations tab with the record and the invoice that order raised."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from desktop.main_window import MainWindow
from desktop.tools import organisation_screenshots
from tests.test_desktop_layout import _columns_in_view, demo_window

__all__ = ["demo_window"]


def test_the_organisation_screens_are_pictured_with_an_order_and_its_invoice(
    demo_window: MainWindow, tmp_path: Path
) -> None:
    saved = organisation_screenshots.render(demo_window, tmp_path, "@test")
    assert [p.name for p in saved] == [
        "organisations-bulk-review@test.png",
        "organisations@test.png",
    ]
    assert all(not QImage(str(p)).isNull() for p in saved)
    tab = demo_window.tab_named("Organisations")
    assert demo_window.tab_widget.currentWidget() is tab
    assert tab.record is not None and tab.record["name"] == "Aire Valley Logistics Ltd"
    (invoice,) = tab.invoices.rows
    assert invoice["number"].startswith("INV-") and invoice["gross_pence"] > 0
    assert tab.bookings.rowCount() == 2  # one booking per session of the order
    assert _columns_in_view(tab.org_table) == []  # name, bookings, terms and PO in sight
