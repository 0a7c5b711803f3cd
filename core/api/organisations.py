"""Employers for staff at the desk (never the website): organisations, bulk orders, invoices
and the compliance view. Every handler is a thin call into ``core.organisations``."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any, Literal

from pydantic import Field, RootModel, StrictInt

from core.api.params import NoParams, Params
from core.api.registry import Call, method
from core.api.results.organisations import (
    ComplianceExport,
    ComplianceRow,
    Invoice,
    InvoiceLink,
    NumberedPdf,
    Order,
    Organisation,
)
from core.certificates import compliance
from core.infra.actor import Actor
from core.infra.errors import ValidationFailed
from core.invoicing import invoices
from core.orders import bulk
from core.orders.order_csv import parse_csv, parse_rows
from core.organisations import directory
from core.organisations.directory import ContactInput, OrganisationInput
from core.payments import invoice_links
from core.payments.gateway import gateway_for
from core.staff.roles import DESK


def _actor(call: Call) -> Actor:
    assert call.actor is not None
    return call.actor


class IdParams(Params):
    id: StrictInt = Field(ge=1)


class ContactParams(Params):
    id: StrictInt = Field(ge=1)
    contact: ContactInput


class OrderParams(Params):
    organisation_id: StrictInt = Field(ge=1)
    rows: list[dict[str, Any]] | None = Field(default=None, max_length=500)
    csv: str | None = Field(default=None, max_length=300_000)
    po: str | None = Field(default=None, max_length=200)


class ExportParams(Params):
    id: StrictInt = Field(ge=1)
    format: Literal["csv", "pdf"]


class InvoiceListParams(Params):
    organisation_id: StrictInt | None = Field(default=None, ge=1)
    overdue: bool = False


class NumberParams(Params):
    number: str = Field(min_length=1, max_length=20)


class PayParams(Params):
    number: str = Field(min_length=1, max_length=20)
    amount_pence: StrictInt = Field(gt=0, le=invoices.MAX_PAYMENT_PENCE)
    method: Literal["bank_transfer", "link", "cheque", "card"] = "bank_transfer"
    reference: str = Field(min_length=1, max_length=80)
    received_on: date | None = None


@method("organisations.list", roles=DESK, params=NoParams, result=RootModel[list[Organisation]])
def list_organisations(call: Call, params: NoParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return directory.list_organisations(tx)


@method("organisations.get", roles=DESK, params=IdParams, result=Organisation)
def get_organisation(call: Call, params: IdParams) -> dict[str, Any]:
    """The record: details and contacts, bookings, invoices, compliance."""
    with call.db.read() as tx:
        org = directory.get(tx, params.id)
        booked = bulk.organisation_bookings(tx, org.id)
        return directory.org_json(org, len(booked)) | {
            "booking_list": booked,
            "invoices": invoices.list_invoices(tx, org.id),
            "compliance": [h.to_json() for h in compliance.holdings(tx, org.id)],
        }


@method("organisations.add", roles=DESK, params=OrganisationInput, result=Organisation)
def add_organisation(call: Call, params: OrganisationInput) -> dict[str, Any]:
    with call.db.write() as tx:
        return directory.org_json(directory.add_organisation(tx, params, _actor(call)))


@method("organisations.add_contact", roles=DESK, params=ContactParams, result=Organisation)
def add_contact(call: Call, params: ContactParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return directory.org_json(
            directory.add_contact(tx, params.id, params.contact, _actor(call))
        )


@method("organisations.order.start", roles=DESK, params=OrderParams, result=Order)
def start_order(call: Call, params: OrderParams) -> dict[str, Any]:
    """Check every row (a table's ``rows`` or a ``csv`` text) and hold every seat; the review,
    with the headings of the CSV's columns that the order does not keep (``not_read``)."""
    if (params.rows is None) == (params.csv is None):
        raise ValidationFailed("Give the order's people either as rows or as CSV text.")
    rows, not_read = (
        parse_csv(params.csv) if params.csv is not None else (parse_rows(params.rows or []), [])
    )
    settings = call.db.settings
    with call.db.write() as tx:
        order = bulk.start_order(
            tx, settings, params.organisation_id, rows, params.po, _actor(call)
        )
        return bulk.review(tx, settings, order.id) | {"not_read": not_read}


@method("organisations.order.get", roles=DESK, params=IdParams, result=Order)
def get_order(call: Call, params: IdParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return bulk.review(tx, call.db.settings, params.id)


@method("organisations.order.confirm", roles=DESK, params=IdParams, result=Order)
def confirm_order(call: Call, params: IdParams) -> dict[str, Any]:
    """Book every held seat and issue the invoice, all or nothing."""
    with call.db.write() as tx:
        bulk.confirm_order(tx, call.db.settings, params.id, _actor(call))
        return bulk.review(tx, call.db.settings, params.id)


@method("organisations.order.extend", roles=DESK, params=IdParams, result=Order)
def extend_order(call: Call, params: IdParams) -> dict[str, Any]:
    """Hold every seat of the order for longer while it is reviewed."""
    with call.db.write() as tx:
        bulk.extend_order(tx, call.db.settings, params.id)
        return bulk.review(tx, call.db.settings, params.id)


@method("organisations.order.release", roles=DESK, params=IdParams, result=Order)
def release_order(call: Call, params: IdParams) -> dict[str, Any]:
    with call.db.write() as tx:
        bulk.release_order(tx, params.id)
        return bulk.review(tx, call.db.settings, params.id)


@method(
    "organisations.compliance", roles=DESK, params=IdParams, result=RootModel[list[ComplianceRow]]
)
def organisation_compliance(call: Call, params: IdParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return [h.to_json() for h in compliance.holdings(tx, params.id)]


@method("organisations.compliance_export", roles=DESK, params=ExportParams, result=ComplianceExport)
def compliance_export(call: Call, params: ExportParams) -> dict[str, Any]:
    """The compliance view as CSV text or a base64 PDF."""
    with call.db.read() as tx:
        org = directory.get(tx, params.id)
        found = compliance.holdings(tx, org.id)
    if params.format == "csv":
        return {"filename": f"compliance-{org.id}.csv", "csv": compliance.to_csv(found)}
    data = compliance.to_pdf(org.name, found)
    return {
        "filename": f"compliance-{org.id}.pdf",
        "pdf_base64": base64.b64encode(data).decode("ascii"),
    }


@method("invoices.list", roles=DESK, params=InvoiceListParams, result=RootModel[list[Invoice]])
def list_invoices(call: Call, params: InvoiceListParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return invoices.list_invoices(tx, params.organisation_id, params.overdue)


@method("invoices.get", roles=DESK, params=NumberParams, result=Invoice)
def get_invoice(call: Call, params: NumberParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return invoices.invoice_json(tx, invoices.find(tx, params.number))


@method("invoices.pdf", roles=DESK, params=NumberParams, result=NumberedPdf)
def invoice_pdf(call: Call, params: NumberParams) -> dict[str, Any]:
    with call.db.read() as tx:
        found = invoices.find(tx, params.number)
        data = invoices.pdf_for(tx, found)
        return {
            "number": found.number,
            "filename": f"{found.number}.pdf",
            "pdf_base64": base64.b64encode(data).decode("ascii"),
        }


@method("invoices.pay", roles=DESK, params=PayParams, result=Invoice)
def pay_invoice(call: Call, params: PayParams) -> dict[str, Any]:
    """Record money received against an invoice (never more than is owed)."""
    with call.db.write() as tx:
        found = invoices.record_payment(
            tx,
            params.number,
            params.amount_pence,
            _actor(call),
            method=params.method,
            reference=params.reference,
            received_on=params.received_on,
        )
        return invoices.invoice_json(tx, found)


@method("invoices.link", roles=DESK, params=NumberParams, result=InvoiceLink)
def invoice_link(call: Call, params: NumberParams) -> dict[str, Any]:
    """The invoice's card payment link (made and emailed once; paid links are recorded)."""
    return invoice_links.create(call.db, gateway_for(call.db.settings), params.number, _actor(call))
