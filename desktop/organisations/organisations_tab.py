"""The Organisations tab (reception, managers, admins): employers on the left; the chosen
one's record on the right with its details and contacts, staff and their certificates,
bookings and invoices; bulk booking, invoice PDFs and payments from the record."""

from __future__ import annotations

import base64
import html
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import uk_date, uk_datetime
from core.infra.money import gbp
from core.staff.roles import DESK
from desktop import layouts
from desktop.admin.form_dialog import FormDialog
from desktop.admin.record_table import RecordTableModel, record_view, selected_row
from desktop.admin.roles import load, may_use
from desktop.backend import Backend
from desktop.organisations.bulk_order_dialog import BulkOrderDialog
from desktop.tasks import BackendOp, plain_message


def _escaped(contact: dict[str, Any]) -> dict[str, Any]:
    """A contact's name and email made safe to show in rich text."""
    return contact | {"name": html.escape(contact["name"]), "email": html.escape(contact["email"])}


def _day(iso: str) -> str:
    return uk_date(date.fromisoformat(iso))


ORGS = [
    ("Organisation", lambda o: o["name"]),
    ("Bookings", lambda o: o["bookings"]),
    ("Terms", lambda o: f"{o['terms_days']} days"),
    ("PO", lambda o: "required" if o["po_required"] else ""),
]
STAFF = [
    ("Name", lambda h: h["attendee"]),
    ("Course", lambda h: h["course"]),
    ("Expires", lambda h: _day(h["expires"]) if h["expires"] else "no expiry"),
    ("Status", lambda h: h["status"].replace("_", " ")),
    ("Book next", lambda h: h["next"]),
]
BOOKINGS = [
    ("Reference", lambda b: b["reference"]),
    ("Course", lambda b: b["session"]["course_name"]),
    ("Date", lambda b: _day(b["session"]["start"][:10])),
    ("Places", lambda b: b["seats"]),
    ("Total", lambda b: gbp(b["total_pence"])),
    ("Status", lambda b: b["status"].replace("_", " ").lower()),
]


def invoice_for(invoice: dict[str, Any]) -> str:
    """What an invoice charges for, in one line: its PO and places per course and date (a
    credit note: what it credits and why)."""
    if invoice["kind"] != "invoice":
        return f"Credits {invoice['credits']}" + (
            f": {invoice['reason']}" if invoice["reason"] else ""
        )
    places = Counter(line["description"] for line in invoice["lines"])
    text = "; ".join(f"{n} × {description}" for description, n in places.items())
    return f"PO {invoice['po']} · {text}" if invoice["po"] else text


INVOICES = [
    ("Number", lambda i: i["number"]),
    ("For", invoice_for),
    ("Issued", lambda i: _day(i["issued"])),
    ("Due", lambda i: _day(i["due"]) if i["kind"] == "invoice" else ""),
    ("Gross", lambda i: gbp(i["gross_pence"])),
    ("Paid", lambda i: gbp(i["paid_pence"])),
    ("Owed", lambda i: gbp(i["outstanding_pence"]) if i["kind"] == "invoice" else ""),
    ("Status", lambda i: i["status"].replace("_", " ")),
]
INVOICE_FOR = 1
ROLE_LABELS = {
    "booking": "Books staff onto courses",
    "invoice": "Receives invoices",
    "expiry": "Is told about expiring certificates",
}
REFRESH_KINDS = {"organisation", "invoice", "booking", "certificate"}


class OrganisationsTab(QWidget):
    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.record: dict[str, Any] | None = None
        self.link_box: QMessageBox | None = None
        self.orgs = RecordTableModel(ORGS, parent=self)
        self.org_table = record_view(self.orgs, self)
        self.org_table.setWordWrap(False)
        layouts.ShareWidth(self.org_table, (0,))  # the name gives way: terms and PO stay in sight
        self.org_table.selectionModel().selectionChanged.connect(lambda *_: self.open_selected())
        add = QPushButton("Add organisation…")
        add.clicked.connect(self.add_organisation)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(add)
        left_layout.addWidget(self.org_table)
        self.details = QLabel("Choose an organisation.")
        self.details.setWordWrap(True)
        self.staff = RecordTableModel(STAFF, flag=lambda h: h["status"] != "valid", parent=self)
        self.bookings = RecordTableModel(BOOKINGS, parent=self)
        self.invoices = RecordTableModel(
            INVOICES,
            flag=lambda i: i["status"] == "overdue",
            parent=self,
            tips={INVOICE_FOR: invoice_for},
        )
        self.invoice_table = record_view(self.invoices, self, stretch=INVOICE_FOR)
        self.invoice_table.setWordWrap(False)
        self.sections = QTabWidget()
        self.sections.addTab(record_view(self.staff, self), "Staff and certificates")
        self.sections.addTab(record_view(self.bookings, self, stretch=1), "Bookings")  # course
        self.sections.addTab(self.invoice_table, "Invoices")
        self.bulk_button = QPushButton("Bulk booking…")
        self.bulk_button.clicked.connect(self.bulk_booking)
        contact = QPushButton("Add contact…")
        contact.clicked.connect(self.add_contact)
        export = QPushButton("Compliance CSV…")
        export.clicked.connect(lambda: self.export_compliance("csv"))
        export_pdf = QPushButton("Compliance PDF…")
        export_pdf.clicked.connect(lambda: self.export_compliance("pdf"))
        pdf = QPushButton("Save invoice PDF…")
        pdf.clicked.connect(self.save_invoice_pdf)
        pay = QPushButton("Record payment…")
        pay.clicked.connect(self.record_payment)
        link = QPushButton("Payment link…")
        link.setToolTip("A card payment link for what is owed, emailed to the invoice contact")
        link.clicked.connect(self.payment_link)
        actions = QHBoxLayout()
        self.record_buttons = (self.bulk_button, contact, export, export_pdf, pdf, pay, link)
        for button in self.record_buttons:
            actions.addWidget(button)
        actions.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.details)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.sections, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 860])  # room for the names beside bookings, terms and PO
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._set_record_enabled(False)
        backend.role_changed.connect(lambda _role: self.reload())
        backend.changed.connect(self._on_change)
        self.reload()

    def _set_record_enabled(self, on: bool) -> None:
        for widget in (*self.record_buttons, self.sections):
            widget.setEnabled(on)

    def _on_change(self, message: dict[str, Any]) -> None:
        if message.get("kind") in REFRESH_KINDS and self.isVisible():
            self.reload()

    def reload(self) -> None:
        if not may_use(self.backend, DESK):
            return
        load(self, self.backend, "organisations.list", None, self._listed)

    def _listed(self, orgs: list[dict[str, Any]]) -> None:
        chosen = self.record["id"] if self.record else None
        self.orgs.set_rows(orgs)
        for row, org in enumerate(orgs):
            if org["id"] == chosen:
                self.org_table.selectRow(row)
                self.open_record(chosen)

    def open_selected(self) -> None:
        org = selected_row(self.org_table, self.orgs)
        if org is not None:
            self.open_record(org["id"])

    def open_record(self, org_id: int) -> None:
        load(self, self.backend, "organisations.get", {"id": org_id}, self.show_record)

    def show_record(self, record: dict[str, Any]) -> None:
        self.record = record
        contacts = "; ".join(
            f"{c['name']} &lt;{c['email']}&gt; ({', '.join(c['roles']) or 'no roles'})"
            for c in (_escaped(c) for c in record["contacts"])
        )
        address = html.escape(record["billing_address"].replace("\n", ", "))
        terms = f"Pays in {record['terms_days']} days"
        if record["po_required"]:
            terms += ", purchase order required"
        if record["vat_number"]:
            terms += f", VAT no. {html.escape(record['vat_number'])}"
        self.details.setText(
            f"<b>{html.escape(record['name'])}</b> — {address or 'no billing address'}<br/>"
            f"{terms}<br/>Contacts: {contacts or 'none yet'}"
        )
        self.staff.set_rows(record["compliance"])
        self.bookings.set_rows(record["booking_list"])
        self.invoices.set_rows(record["invoices"])
        self._set_record_enabled(True)

    def add_organisation(self) -> None:
        name, address, contact, email = QLineEdit(), QPlainTextEdit(), QLineEdit(), QLineEdit()
        address.setFixedHeight(64)
        terms = QSpinBox()
        terms.setRange(0, 120)
        terms.setValue(30)
        po = QCheckBox("Every order needs a purchase order number")

        def params() -> dict[str, Any]:
            people = []
            if contact.text().strip() or email.text().strip():
                people.append({"name": contact.text(), "email": email.text()})
            return {
                "name": name.text(),
                "billing_address": address.toPlainText(),
                "terms_days": terms.value(),
                "po_required": po.isChecked(),
                "contacts": people,
            }

        dialog = FormDialog(
            self,
            "Add organisation",
            [
                ("Name", name),
                ("Billing address", address),
                ("Contact name", contact),
                ("Contact email", email),
                ("Payment terms (days)", terms),
                ("", po),
            ],
            self.backend,
            "organisations.add",
            params,
            self._added,
        )
        dialog.open()

    def _added(self, org: dict[str, Any]) -> None:
        self.reload()
        self.open_record(org["id"])

    def bulk_booking(self) -> None:
        if self.record is None:
            return
        dialog = BulkOrderDialog(self, self.backend, self.record)
        dialog.finished.connect(
            lambda _r: self.open_record(self.record["id"]) if self.record else None
        )
        dialog.open()

    def _selected_invoice(self) -> dict[str, Any] | None:
        self.sections.setCurrentWidget(self.invoice_table)
        found = selected_row(self.invoice_table, self.invoices)
        if found is None:
            QMessageBox.information(self, "Invoices", "Choose an invoice in the list first.")
        return found

    def save_invoice_pdf(self) -> None:
        invoice = self._selected_invoice()
        if invoice is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save invoice", f"{invoice['number']}.pdf", "PDF (*.pdf)"
        )
        if path:
            BackendOp(self, self.backend, "invoices.pdf", {"number": invoice["number"]}).success(
                lambda r: self._save_pdf(path, r["pdf_base64"])
            ).failure(self._error).run()

    @staticmethod
    def _save_pdf(path: str, pdf_base64: str) -> None:
        Path(path).write_bytes(base64.b64decode(pdf_base64))

    def record_payment(self) -> None:
        invoice = self._selected_invoice()
        if invoice is None:
            return
        owed = invoice["outstanding_pence"] / 100
        amount, ok = QInputDialog.getDouble(
            self,
            f"Payment for {invoice['number']}",
            "Amount received (£)",
            owed,
            0.01,
            max(owed, 0.01),
            2,
        )
        if not ok:
            return
        reference, ok = QInputDialog.getText(self, "Payment reference", "Bank reference")
        if ok:
            self.pay(invoice["number"], round(amount * 100), reference)

    def pay(self, number: str, amount_pence: int, reference: str) -> None:
        params = {"number": number, "amount_pence": amount_pence, "reference": reference}
        BackendOp(self, self.backend, "invoices.pay", params).success(
            lambda _r: self.open_record(self.record["id"]) if self.record else None
        ).failure(self._error).run()

    def payment_link(self) -> None:
        invoice = self._selected_invoice()
        if invoice is not None:
            self.make_link(invoice["number"])

    def make_link(self, number: str) -> None:
        """Make (or fetch) the invoice's card payment link and show it to copy or read out."""
        BackendOp(self, self.backend, "invoices.link", {"number": number}).success(
            self._show_link
        ).failure(self._error).run()

    def _show_link(self, link: dict[str, Any]) -> None:
        if link["status"] == "paid":
            text = f"The payment link for {link['number']} has been paid."
        else:
            expires = uk_datetime(datetime.fromisoformat(link["expires_at"]))
            text = (
                f"Pay {gbp(link['amount_pence'])} on {link['number']} by card at\n{link['url']}"
                f"\n\nEmailed to the invoice contact. Open until {expires}."
            )
        self.link_box = QMessageBox(
            QMessageBox.Icon.Information, "Payment link", text, QMessageBox.StandardButton.Ok, self
        )
        self.link_box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link_box.open()
        if self.record:
            self.open_record(self.record["id"])

    def add_contact(self) -> None:
        if self.record is None:
            return
        org_id = self.record["id"]
        name, email = QLineEdit(), QLineEdit()
        roles = {r: QCheckBox(label) for r, label in ROLE_LABELS.items()}
        for box in roles.values():
            box.setChecked(True)

        def params() -> dict[str, Any]:
            chosen = [r for r, box in roles.items() if box.isChecked()]
            return {
                "id": org_id,
                "contact": {"name": name.text(), "email": email.text(), "roles": chosen},
            }

        rows: list[tuple[str, QWidget]] = [("Name", name), ("Email", email)]
        rows += [("", box) for box in roles.values()]
        FormDialog(
            self,
            "Add contact",
            rows,
            self.backend,
            "organisations.add_contact",
            params,
            self.show_record_of,
        ).open()

    def show_record_of(self, org: dict[str, Any]) -> None:
        self.open_record(org["id"])

    def export_compliance(self, kind: str) -> None:
        if self.record is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export compliance",
            f"compliance-{self.record['id']}.{kind}",
            f"{kind.upper()} (*.{kind})",
        )
        if path:
            params = {"id": self.record["id"], "format": kind}
            BackendOp(self, self.backend, "organisations.compliance_export", params).success(
                lambda r: self.write_export(Path(path), r)
            ).failure(self._error).run()

    @staticmethod
    def write_export(path: Path, result: dict[str, Any]) -> None:
        if "csv" in result:
            path.write_text(result["csv"], encoding="utf-8", newline="")
        else:
            path.write_bytes(base64.b64decode(result["pdf_base64"]))

    def _error(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Organisations", plain_message(error))
