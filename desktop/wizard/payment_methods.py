"""Ways to pay at the desk. Cash and "pay later" are always there; card reader, payment link
and invoice appear when the service offers them (``payments.methods`` lists their keys).

A method is a small object: ``offered`` decides whether it is shown, ``form`` names what
the receptionist fills in, and ``take`` runs it once confirmed. ``take`` gets a
``PaymentFlow`` (the wizard) to create the booking with ``bookings.create``
(``payment=<key>``), record the payment with the payments API (``payments.cash``,
``payments.invoice``, ``payments.terminal.*``, ``payments.link``; see docs/payments.md),
report progress and finish with the booking. To add a method, subclass ``PaymentMethod``
and list it in ``METHODS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QTimer

from core.api.results.payments import PaymentMethods, Reader
from core.infra.clock import uk_datetime
from core.infra.money import gbp, pence_from_text
from desktop.wizard.invoice_po import po_missing

TERMINAL_POLL_MS = 1000
INVOICE_CHECK = "payments.invoice_check"


class PaymentFlow(Protocol):
    """What the wizard offers a payment method while it runs."""

    backend: Any
    readers: list[Reader]  # card readers from ``payments.methods``

    def create_booking(self, payment: str, then: Callable[[dict[str, Any]], None]) -> None: ...

    def api(self, method: str, params: dict[str, Any], then: Callable[[Any], None]) -> None: ...

    def progress(self, text: str, cancel: Callable[[], None] | None = None) -> None: ...

    def finish(self, booking: dict[str, Any], note: str) -> None: ...

    def form_values(self) -> dict[str, str]: ...


class PaymentMethod:
    key = ""
    label = ""  # with its Alt+letter shortcut marked by "&"
    help = ""
    requires: tuple[str, ...] = ()  # service API methods this one needs
    always = False  # offered on every desk (cash, pay later)
    form: tuple[tuple[str, str, bool], ...] = ()  # (field, label, required) to fill in
    paid_note = ""  # what the receptionist is told once the payment is recorded

    def offered(self, has_method: Callable[[str], bool], keys: set[str]) -> bool:
        """Shown when always available, or listed by ``payments.methods`` and supported."""
        if self.always:
            return True
        return self.key in keys and all(has_method(m) for m in self.requires)

    def missing(self, values: dict[str, str]) -> str | None:
        """What the receptionist still has to fill in, if anything."""
        for field, label, required in self.form:
            if required and not values.get(field):
                return f"Fill in the {label.lower()} for the {self.name.lower()}."
        return None

    @property
    def name(self) -> str:
        return self.label.replace("&", "")

    def take(self, flow: PaymentFlow) -> None:
        """Create the booking paid this way, then record the payment where the service can."""
        recorder = f"payments.{self.key}"

        def created(booking: dict[str, Any]) -> None:
            if not flow.backend.has_method(recorder):
                flow.finish(booking, self.paid_note)
                return
            params = self.record_params(booking, flow)
            flow.api(recorder, params, lambda _p: flow.finish(booking, self.paid_note))

        flow.create_booking(self.key, created)

    def record_params(self, booking: dict[str, Any], flow: PaymentFlow) -> dict[str, Any]:
        return {"reference": booking["reference"]}


def tendered_pence(values: dict[str, str]) -> int | None:
    """The cash the customer handed over, when the receptionist typed it."""
    text = values.get("tendered", "")
    return pence_from_text(text) if text else None


class Cash(PaymentMethod):
    key = "cash"
    label = "Ca&sh"
    help = "Take the money now; the booking is confirmed and marked paid in cash."
    paid_note = "Paid in cash."
    always = True
    form = (("tendered", "Cash tendered", False),)

    def missing(self, values: dict[str, str]) -> str | None:
        try:
            tendered = tendered_pence(values)
        except ValueError as error:
            return f"Cash tendered: {error}."
        due = int(values.get("total_pence") or 0)
        if tendered is not None and tendered < due:
            return f"{gbp(tendered)} is {gbp(due - tendered)} short of {gbp(due)}."
        return None

    def take(self, flow: PaymentFlow) -> None:
        tendered = tendered_pence(flow.form_values())

        def created(booking: dict[str, Any]) -> None:
            due = booking["due_pence"]
            note = self.paid_note
            if tendered is not None:
                note = f"Paid in cash: {gbp(tendered)} tendered, {gbp(tendered - due)} change."
            flow.api(
                "payments.cash",
                {"reference": booking["reference"], "amount_pence": due},
                lambda _p: flow.finish(booking, note),
            )

        flow.create_booking(self.key, created)


class PayLater(PaymentMethod):
    key = "pay_later"
    label = "Pay &later"
    help = "Confirm the seats now; the customer pays before the course (the office chases it)."
    paid_note = "Not paid yet: the customer pays before the course."
    always = True


class Invoice(PaymentMethod):
    key = "invoice"
    label = "In&voice"
    help = "Invoice the customer's employer; the booking is confirmed now."
    paid_note = "Invoice raised and emailed."
    requires = ("payments.invoice",)
    form = (
        ("company", "Company", True),
        ("po_number", "PO number", False),
        ("email", "Invoice email", True),
        ("billing_address", "Billing address", True),
    )

    def missing(self, values: dict[str, str]) -> str | None:
        return super().missing(values) or po_missing(values)

    def take(self, flow: PaymentFlow) -> None:
        """Check the company's PO rule, book, then issue the invoice; the done page shows its
        number. A missing PO the company requires is refused before anything is booked."""

        def created(booking: dict[str, Any]) -> None:
            flow.api(
                "payments.invoice",
                self.record_params(booking, flow),
                lambda paid: flow.finish(booking, invoice_note(paid)),
            )

        def book(_checked: Any = None) -> None:
            flow.create_booking(self.key, created)

        if not flow.backend.has_method(INVOICE_CHECK):
            book()
            return
        values = flow.form_values()
        check = {"company": values["company"], "po_number": values.get("po_number") or None}
        flow.api(INVOICE_CHECK, check, book)

    def record_params(self, booking: dict[str, Any], flow: PaymentFlow) -> dict[str, Any]:
        values = flow.form_values()
        return {
            "reference": booking["reference"],
            "company": values["company"],
            "po_number": values.get("po_number") or None,
            "email": values["email"],
            "billing_address": values["billing_address"],
        }


def invoice_note(paid: dict[str, Any]) -> str:
    number = paid.get("invoice")
    if not number:
        return Invoice.paid_note
    return f"Invoice {number} raised for {gbp(paid['amount_pence'])} and emailed."


class CardReader(PaymentMethod):
    key = "card"
    label = "Card &reader"
    help = "Send the amount to the card reader on the desk and wait for the customer's card."
    requires = ("payments.terminal.start", "payments.terminal.status", "payments.terminal.cancel")

    def take(self, flow: PaymentFlow) -> None:
        online = [r for r in flow.readers if r.status == "online"]
        reader = (online or flow.readers or [Reader(id="", label="the reader", status="")])[0]

        def started(booking: dict[str, Any]) -> None:
            def check(status: dict[str, Any]) -> None:
                state = status.get("status")
                ref = {"payment_id": status["payment_id"]}
                if state == "succeeded":  # the booking is confirmed now: show it as it is
                    flow.api(
                        "bookings.get",
                        {"reference": booking["reference"]},
                        lambda paid: flow.finish(paid, "Paid by card."),
                    )
                elif state == "pending":
                    flow.progress(
                        f"Waiting for the customer's card on {reader.label}…",
                        lambda: flow.api("payments.terminal.cancel", ref, check),
                    )
                    QTimer.singleShot(
                        TERMINAL_POLL_MS, lambda: flow.api("payments.terminal.status", ref, check)
                    )
                else:
                    why = status.get("message") or state
                    flow.finish(booking, f"Card not taken ({why}). The booking waits for payment.")

            params = {"reference": booking["reference"], "reader_id": reader.id}
            flow.api("payments.terminal.start", params, check)

        flow.create_booking(self.key, started)


class PaymentLink(PaymentMethod):
    key = "link"
    label = "Payment l&ink"
    help = "Email the customer a secure link to pay by card; seats are confirmed when paid."
    requires = ("payments.link",)

    def take(self, flow: PaymentFlow) -> None:
        def created(booking: dict[str, Any]) -> None:
            flow.api(
                "payments.link",
                {"reference": booking["reference"]},
                lambda link: flow.finish(booking, link_note(link)),
            )

        flow.create_booking(self.key, created)


def link_note(link: dict[str, Any]) -> str:
    """What the receptionist tells the customer about the link, its expiry included."""
    expires = link.get("expires_at")
    until = (
        f" It works until {uk_datetime(datetime.fromisoformat(expires))}; the seats are kept "
        "until then."
        if expires
        else " The seats are kept until it expires."
    )
    return f"Payment link emailed to the customer: {link.get('url', '')}.{until}"


METHODS: tuple[PaymentMethod, ...] = (Cash(), PayLater(), CardReader(), PaymentLink(), Invoice())


def offered_keys(result: PaymentMethods) -> set[str]:
    """The method keys a ``payments.methods`` result offers."""
    return set(result.methods)
