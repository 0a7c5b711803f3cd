"""Step 4: how the customer pays. Methods come from ``payment_methods.METHODS``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.infra.money import gbp, pence_from_text
from desktop import layouts
from desktop.backend import Backend
from desktop.wizard.invoice_po import REQUIRED_BY, PoRule
from desktop.wizard.payment_methods import METHODS, PaymentMethod


class PaymentStep(QWidget):
    title = "Payment"

    def __init__(self) -> None:
        super().__init__()
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        self.forms: dict[str, QWidget] = {}
        self.fields: dict[str, dict[str, QLineEdit]] = {}
        self.po_rule: PoRule | None = None
        self.methods_box = QVBoxLayout()
        self.total_pence = 0
        self.change = QLabel()
        self.progress = QLabel()
        self.progress.setWordWrap(True)
        self.cancel_payment = QPushButton("Cancel card payment")
        self.cancel_payment.hide()
        self._cancel: Callable[[], None] | None = None
        self.cancel_payment.clicked.connect(lambda: self._cancel and self._cancel())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>How is the customer paying?</b>"))
        layout.addLayout(self.methods_box)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_payment)
        layout.addStretch(1)
        self.group.buttonToggled.connect(lambda *_: self._show_form())
        self.offer([m for m in METHODS if m.always])

    def offer(self, methods: list[PaymentMethod], backend: Backend | None = None) -> None:
        """Show these methods (keeps the current choice when it is still offered); with
        ``backend``, the Invoice form's PO field follows the company's rule."""
        current = self.chosen_key()
        for button in self.buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        layouts.clear(self.methods_box)
        self.buttons, self.forms, self.fields = {}, {}, {}
        self.po_rule = None
        for method in methods:
            button = QRadioButton(method.label)
            button.setToolTip(f"Alt+{method.label.split('&')[1][:1].upper()}")
            button.setObjectName(f"pay-{method.key}")
            hint = QLabel(method.help)
            hint.setWordWrap(True)
            hint.setIndent(24)
            self.group.addButton(button)
            self.buttons[method.key] = button
            self.methods_box.addWidget(button)
            self.methods_box.addWidget(hint)
            if method.form:
                self._add_form(method)
        if backend is not None and "invoice" in self.forms:
            self.po_rule = PoRule(backend, self.forms["invoice"], self.fields["invoice"])
        if current in self.buttons:
            self.buttons[current].setChecked(True)
        self._show_form()

    def _add_form(self, method: PaymentMethod) -> None:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(24, 0, 0, 0)
        self.fields[method.key] = {}
        for field, label, required in method.form:
            edit = QLineEdit()
            edit.setAccessibleName(label)
            form.addRow(label + ("" if required else " (optional)"), edit)
            self.fields[method.key][field] = edit
        if method.key == "cash":
            self.change = QLabel()
            self.change.setObjectName("cashChange")
            self.fields["cash"]["tendered"].setPlaceholderText("e.g. 100 or 95.50")
            self.fields["cash"]["tendered"].textChanged.connect(self._show_change)
            form.addRow("", self.change)
            self._show_change()
        self.forms[method.key] = box
        self.methods_box.addWidget(box)
        box.hide()

    def _show_form(self) -> None:
        chosen = self.chosen_key()
        for key, box in self.forms.items():
            box.setVisible(key == chosen)

    def values(self) -> dict[str, str]:
        """What was typed into the chosen method's form, plus ``total_pence`` to take."""
        fields = self.fields.get(self.chosen_key() or "", {})
        typed = {name: edit.text().strip() for name, edit in fields.items()}
        if self.chosen_key() == "invoice" and self.po_rule and self.po_rule.required_by:
            typed[REQUIRED_BY] = self.po_rule.required_by
        return typed | {"total_pence": str(self.total_pence)}

    def set_total(self, pence: int) -> None:
        """The amount to take, for the cash change shown as the tendered amount is typed."""
        self.total_pence = pence
        self._show_change()

    def _show_change(self) -> None:
        tendered = self.fields.get("cash", {}).get("tendered")
        text = tendered.text().strip() if tendered else ""
        if not text:
            self.change.setText(f"To take: {gbp(self.total_pence)}")
            return
        try:
            given = pence_from_text(text)
        except ValueError as error:
            self.change.setText(str(error))
            return
        left = given - self.total_pence
        self.change.setText(f"Change to give: {gbp(left)}" if left >= 0 else f"{gbp(-left)} short")

    def choose(self, key: str) -> None:
        self.buttons[key].setChecked(True)

    def chosen_key(self) -> str | None:
        for key, button in self.buttons.items():
            if button.isChecked():
                return key
        return None

    def show_progress(self, text: str, cancel: Callable[[], None] | None) -> None:
        self.progress.setText(text)
        self._cancel = cancel
        self.cancel_payment.setVisible(cancel is not None)

    def set_locked(self, locked: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not locked)
