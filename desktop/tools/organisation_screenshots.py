"""Screenshots of an employer at the desk: a bulk order held and reviewed, then the
Organisations tab with the record, its bookings and the invoice the order raised.

``render(window, folder, suffix)`` is called by ``rft desk --screenshots`` on its throwaway
demo database, which has no organisations: one is added there first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from desktop.organisations.bulk_order_dialog import BulkOrderDialog
from desktop.organisations.organisations_tab import OrganisationsTab
from desktop.tasks import BackendOp
from desktop.tools.waiting import wait_settled

EMPLOYER = {
    "name": "Aire Valley Logistics Ltd",
    "billing_address": "Unit 4, Aire Park\nLeeds LS10 1AB",
    "terms_days": 30,
    "po_required": True,
    "contacts": [
        {"name": "Priya Shah", "email": "priya.shah@example.co.uk", "roles": ["booking"]},
        {"name": "Accounts", "email": "accounts@example.co.uk", "roles": ["invoice"]},
    ],
}
STAFF = (
    ("Dan Whitaker", "dan.whitaker@example.co.uk", "1984-04-12", ""),
    ("Sofia Marsh", "sofia.marsh@example.co.uk", "1991-09-30", "Wheelchair user: ground floor"),
    ("Kieran Lowe", "kieran.lowe@example.co.uk", "1979-02-07", ""),
)


def _grab(widget: QWidget, path: Path) -> Path:
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _order_rows(window: Any) -> list[dict[str, Any]]:
    """Two staff on the soonest EFAW with room, one on the soonest FAW with room."""
    rows = sorted(window.sessions.model.rows, key=lambda r: r.start)
    efaw = next(r for r in rows if r.bookable and r.free >= 3 and r.raw["course"] == "efaw")
    faw = next(r for r in rows if r.bookable and r.free >= 2 and r.raw["course"] == "faw")
    sessions = (efaw.id, efaw.id, faw.id)
    return [
        {
            "session": sid,
            "name": name,
            "email": email,
            "date_of_birth": dob,
            "special_requirements": needs,
        }
        for sid, (name, email, dob, needs) in zip(sessions, STAFF, strict=True)
    ]


def render(window: Any, out_dir: Path, suffix: str = "") -> list[Path]:
    """Save ``organisations-bulk-review`` and ``organisations`` for ``window``."""
    added: list[dict[str, Any]] = []
    BackendOp(window, window.backend, "organisations.add", EMPLOYER).success(added.append).run()
    wait_settled(lambda: bool(added))
    window.show_tab("Organisations")
    tab: OrganisationsTab = window.tab_named("Organisations")
    tab.reload()
    wait_settled(lambda: tab.orgs.rowCount() > 0)
    tab.open_record(added[0]["id"])
    wait_settled(lambda: tab.record is not None)

    dialog = BulkOrderDialog(tab, window.backend, tab.record)
    dialog.fill(_order_rows(window))
    dialog.po.setText("PO-44817")
    dialog.show()
    dialog.hold_button.click()
    wait_settled(dialog.confirm_button.isEnabled)
    saved = [_grab(dialog, out_dir / f"organisations-bulk-review{suffix}.png")]
    dialog.confirm_button.click()
    wait_settled(lambda: "Invoice INV-" in dialog.message.text())
    dialog.accept()

    tab.open_record(added[0]["id"])
    wait_settled(lambda: tab.invoices.rowCount() == 1)
    tab.sections.setCurrentWidget(tab.invoice_table)
    saved.append(_grab(window, out_dir / f"organisations{suffix}.png"))
    return saved
