"""Take what is still owed on an existing booking: booked to pay later, a card that was
declined, or part paid. The same payment methods as the booking wizard's last step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from core.api import payments as payments_api
from core.api.params import NoParams
from core.api.results.payments import PaymentMethods, Reader
from core.infra.clock import uk_datetime
from core.infra.money import gbp
from core.models.statuses import BookingStatus
from desktop.backend import Backend
from desktop.style_sheet import set_state
from desktop.tasks import ApiOp, BackendOp, plain_message
from desktop.wizard.payment_methods import METHODS, PaymentMethod, offered_keys
from desktop.wizard.payment_step import PaymentStep


class TakePaymentDialog(QDialog):
    """A ``PaymentFlow`` on a booking that already exists; emits ``paid`` with it after."""

    paid = Signal(dict)

    def __init__(self, backend: Backend, booking: dict[str, Any], parent: QWidget) -> None:
        super().__init__(parent)
        self.backend = backend
        self.booking = booking
        self.readers: list[Reader] = []
        self.setWindowTitle(f"Take payment for {booking['reference']}")
        self.setMinimumWidth(640)  # each method's hint on one line
        self.summary = QLabel(
            f"<b>{booking['reference']}</b> for {booking['customer']['name']}: "
            f"{gbp(booking['due_pence'])} still to pay of {gbp(booking['total_pence'])}."
        )
        self.summary.setWordWrap(True)
        self.step = PaymentStep()
        self.step.set_total(booking["due_pence"])
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_state(self.message, "error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.take_button = QPushButton("&Take payment")
        self.take_button.setDefault(True)
        self.buttons.addButton(self.take_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.take_button.clicked.connect(self.take)
        self.more_time_button = QPushButton("Give an &hour more to pay")
        self.more_time_button.setToolTip(
            "An unpaid booking gives its places back at its payment deadline; this moves the "
            "deadline an hour later."
        )
        self.buttons.addButton(self.more_time_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.more_time_button.setVisible(
            booking["status"] == BookingStatus.PENDING_PAYMENT
            and backend.has_method("payments.extend_deadline")
        )
        self.more_time_button.clicked.connect(self.give_more_time)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.step, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._offer(set())
        if backend.has_method("payments.methods"):
            ApiOp(self, backend, payments_api.payment_methods, NoParams()).success(
                self._methods
            ).failure(lambda _e: None).run()

    def _methods(self, result: PaymentMethods) -> None:
        self.readers = list(result.readers)
        self._offer(offered_keys(result))

    def _offer(self, keys: set[str]) -> None:
        self.step.offer([m for m in METHODS if self._fits(m, keys)], self.backend)
        if self.step.chosen_key() is None:
            self.step.choose("cash")

    def _fits(self, method: PaymentMethod, keys: set[str]) -> bool:
        """The wizard's methods less "pay later" (the booking's state already); a payment
        link only while the booking waits for payment (paying it confirms the booking)."""
        if method.key == "pay_later" or not method.offered(self.backend.has_method, keys):
            return False
        return method.key != "link" or self.booking["status"] == BookingStatus.PENDING_PAYMENT

    def give_more_time(self) -> None:
        def extended(result: dict[str, Any]) -> None:
            until = uk_datetime(datetime.fromisoformat(result["pay_by"]))
            self.step.show_progress(f"Places held until {until} for payment.", None)

        params = {"reference": self.booking["reference"], "minutes": 60}
        BackendOp(self, self.backend, "payments.extend_deadline", params).success(extended).failure(
            self._failed
        ).run()

    def take(self) -> None:
        method = next(m for m in METHODS if m.key == self.step.chosen_key())
        missing = method.missing(self.step.values())
        if missing:
            self.message.setText(missing)
            return
        self.message.clear()
        self.take_button.setEnabled(False)
        self.step.set_locked(True)
        method.take(self)

    # -- PaymentFlow ------------------------------------------------------------------
    def create_booking(self, payment: str, then: Callable[[dict[str, Any]], None]) -> None:
        then(self.booking)  # it exists already

    def api(self, method: str, params: dict[str, Any], then: Callable[[Any], None]) -> None:
        BackendOp(self, self.backend, method, params).success(then).failure(self._failed).run()

    def progress(self, text: str, cancel: Callable[[], None] | None = None) -> None:
        self.step.show_progress(text, cancel)

    def form_values(self) -> dict[str, str]:
        return self.step.values()

    def finish(self, booking: dict[str, Any], note: str) -> None:
        def shown(fresh: dict[str, Any]) -> None:
            self.booking = fresh
            self.step.show_progress(note, None)
            self.summary.setText(
                f"<b>{fresh['reference']}</b> is {fresh['status'].replace('_', ' ').lower()}; "
                f"{gbp(fresh['due_pence'])} still to pay."
            )
            self.paid.emit(fresh)

        BackendOp(self, self.backend, "bookings.get", {"reference": booking["reference"]}).success(
            shown
        ).failure(self._failed).run()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(plain_message(error))
        self.step.show_progress("", None)
        self.step.set_locked(False)
        self.take_button.setEnabled(True)
