"""Ways to pay at the desk. Cash and "pay later" are always there; card reader, payment link
and invoice appear when the service offers them (``payments.methods`` lists their keys).

A method is a small object: ``offered`` decides whether it is shown, ``take`` runs it once
the receptionist confirms. ``take`` gets a ``PaymentFlow`` (the wizard) to create the
booking with ``bookings.create`` (``payment=<key>``), call more API methods, report progress
and finish with the booking. To add a method, subclass ``PaymentMethod`` and list it in
``METHODS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QTimer

TERMINAL_POLL_MS = 1500


class PaymentFlow(Protocol):
    """What the wizard offers a payment method while it runs."""

    backend: Any

    def create_booking(self, payment: str, then: Callable[[dict[str, Any]], None]) -> None: ...

    def api(self, method: str, params: dict[str, Any], then: Callable[[Any], None]) -> None: ...

    def progress(self, text: str, cancel: Callable[[], None] | None = None) -> None: ...

    def finish(self, booking: dict[str, Any], note: str) -> None: ...


class PaymentMethod:
    key = ""
    label = ""
    help = ""
    requires: tuple[str, ...] = ()  # service API methods this one needs
    always = False  # offered on every desk (cash, pay later)

    def offered(self, has_method: Callable[[str], bool], keys: set[str]) -> bool:
        """Shown when always available, or listed by ``payments.methods`` and supported."""
        if self.always:
            return True
        return self.key in keys and all(has_method(m) for m in self.requires)

    def take(self, flow: PaymentFlow) -> None:
        flow.create_booking(self.key, lambda booking: flow.finish(booking, self.done_note()))

    def done_note(self) -> str:
        return ""


class Cash(PaymentMethod):
    key = "cash"
    label = "Cash"
    help = "Take the money now; the booking is confirmed and marked paid in cash."
    always = True

    def done_note(self) -> str:
        return "Paid in cash."


class PayLater(PaymentMethod):
    key = "pay_later"
    label = "Pay later"
    help = "Confirm the seats now; the customer pays before the course (the office chases it)."
    always = True

    def done_note(self) -> str:
        return "Not paid yet: the customer pays before the course."


class CardReader(PaymentMethod):
    key = "card"
    label = "Card reader"
    help = "Send the amount to the card reader on the desk and wait for the customer's card."
    requires = ("payments.terminal.start", "payments.terminal.status", "payments.terminal.cancel")

    def take(self, flow: PaymentFlow) -> None:
        def started(booking: dict[str, Any]) -> None:
            ref = {"reference": booking["reference"]}

            def cancel() -> None:
                flow.api("payments.terminal.cancel", ref, lambda _r: None)

            def check(status: Any) -> None:
                state = status.get("status") if isinstance(status, dict) else str(status)
                if state in ("succeeded", "paid"):
                    flow.finish(booking, "Paid by card.")
                elif state in ("failed", "cancelled", "canceled"):
                    flow.finish(booking, "The card payment did not go through: not paid yet.")
                else:
                    flow.progress("Waiting for the card on the reader…", cancel)
                    QTimer.singleShot(
                        TERMINAL_POLL_MS,
                        lambda: flow.api("payments.terminal.status", ref, check),
                    )

            flow.api("payments.terminal.start", ref, check)

        flow.create_booking(self.key, started)


class PaymentLink(PaymentMethod):
    key = "link"
    label = "Payment link"
    help = "Email the customer a secure link to pay by card; seats are confirmed when paid."
    requires = ("payments.link",)

    def take(self, flow: PaymentFlow) -> None:
        def created(booking: dict[str, Any]) -> None:
            flow.api(
                "payments.link",
                {"reference": booking["reference"]},
                lambda link: flow.finish(booking, f"Payment link sent: {_url(link)}"),
            )

        flow.create_booking(self.key, created)


class Invoice(PaymentMethod):
    key = "invoice"
    label = "Invoice"
    help = "Invoice the customer's employer; the booking is confirmed now."
    requires = ("payments.invoice",)

    def take(self, flow: PaymentFlow) -> None:
        def created(booking: dict[str, Any]) -> None:
            flow.api(
                "payments.invoice",
                {"reference": booking["reference"]},
                lambda _r: flow.finish(booking, "Invoice raised and sent."),
            )

        flow.create_booking(self.key, created)


def _url(link: Any) -> str:
    return str(link.get("url", "")) if isinstance(link, dict) else str(link)


METHODS: tuple[PaymentMethod, ...] = (Cash(), PayLater(), CardReader(), PaymentLink(), Invoice())


def offered_keys(result: Any) -> set[str]:
    """Keys from a ``payments.methods`` result (a list of keys or of ``{"key": ...}``)."""
    items = result.get("methods", []) if isinstance(result, dict) else result or []
    return {str(i["key"]) if isinstance(i, dict) else str(i) for i in items}
