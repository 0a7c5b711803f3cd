"""The Invoice form's PO field follows the company's rule: "PO number (required by Acme Ltd)"
for an organisation that requires a purchase order, "(optional)" for anyone else.

The organisations come from ``organisations.list`` once the form is made; the company typed
is matched as ``payments.invoice_check`` matches it (ignoring case and outer spaces), and
the server still refuses a missing PO on its own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from desktop.backend import Backend
from desktop.tasks import BackendOp

ORGANISATIONS = "organisations.list"
REQUIRED_BY = "po_number_required_by"  # the key ``PaymentStep.values`` adds while it applies


def po_missing(values: dict[str, str]) -> str | None:
    """The refusal for a required PO left empty (the words ``payments.invoice_check`` uses)."""
    org = values.get(REQUIRED_BY)
    if org and not values.get("po_number"):
        return f"{org} requires a purchase order number on every order; give the PO."
    return None


class PoRule(QObject):
    """Watches the company field of one Invoice form and relabels its PO field."""

    def __init__(self, backend: Backend, form: QWidget, fields: dict[str, QLineEdit]) -> None:
        super().__init__(form)
        self.company, self.po = fields["company"], fields["po_number"]
        layout = form.layout()
        assert isinstance(layout, QFormLayout)
        label = layout.labelForField(self.po)
        assert isinstance(label, QLabel)
        self.label = label
        self.required: dict[str, str] = {}  # lower-case name -> name, where a PO is required
        self.required_by: str | None = None
        self.company.textChanged.connect(lambda *_: self._follow())
        self._follow()
        if backend.has_method(ORGANISATIONS):
            BackendOp(self, backend, ORGANISATIONS).success(self._listed).failure(
                lambda _e: None
            ).run()

    def _listed(self, organisations: list[dict[str, Any]]) -> None:
        self.required = {
            o["name"].strip().lower(): o["name"] for o in organisations if o["po_required"]
        }
        self._follow()

    def _follow(self) -> None:
        self.required_by = self.required.get(self.company.text().strip().lower())
        if self.required_by:
            self.label.setText(f"PO number (required by {self.required_by})")
            self.po.setPlaceholderText("The organisation's purchase order number")
        else:
            self.label.setText("PO number (optional)")
            self.po.setPlaceholderText("")
