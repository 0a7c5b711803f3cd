"""The Stripe gateway: settings checked at start-up and a thin client over the official SDK.

Every write takes an idempotency key from the caller (derived from the booking and the
step), so a retry after a timeout replays Stripe's first answer instead of charging or
refunding again. The SDK itself retries network failures with the same key.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import stripe

from core import widget_origins
from core.infra.config import Settings
from core.infra.errors import ConfigError, DomainError
from core.infra.secrets import read_secret

Json = dict[str, Any]
LOCAL_DOUBLE = "local-double"
_KEY_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or answered with an error; nothing is charged twice."""

    code = "payment_unavailable"
    rpc_code = -32030


class PaymentRejected(DomainError):
    """Stripe refused the request (reader offline, busy, nothing left to refund...)."""

    code = "payment_rejected"
    rpc_code = -32031


@dataclass(frozen=True)
class StripeConfig:
    secret_key: str = field(repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    api_base: str | None = None
    public_url: str | None = None  # the booking page's server, where Checkout returns to
    timeout_s: float = 20.0


def check_stripe(settings: Settings, *, verify: bool = False) -> StripeConfig:
    """Validate the Stripe settings at start-up; errors name the variable to fix.

    The secret key may come from STRIPE_SECRET_KEY or the keyring. ``STRIPE_API_BASE=
    local-double`` runs the in-process Stripe double (demo mode). With ``verify`` the key is
    tried against Stripe once.
    """
    base = settings.stripe_api_base
    key = settings.stripe_secret_key or read_secret("STRIPE_SECRET_KEY")
    if base == LOCAL_DOUBLE:
        key = key or "sk_test_local_double"
        base = local_double_url()
    if not key:
        raise ConfigError(
            "STRIPE_SECRET_KEY is not set (neither in the environment nor in the keyring), "
            "so card payments and payment links cannot be taken."
        )
    if not key.startswith(_KEY_PREFIXES):
        raise ConfigError(
            "STRIPE_SECRET_KEY does not look like a Stripe secret key: it should start with "
            "sk_live_ or sk_test_ (a publishable pk_ key will not work)."
        )
    webhook = settings.stripe_webhook_secret or read_secret("STRIPE_WEBHOOK_SECRET")
    if webhook and not webhook.startswith("whsec_"):
        raise ConfigError("STRIPE_WEBHOOK_SECRET should start with whsec_.")
    if base and urlsplit(base).scheme not in ("http", "https"):
        raise ConfigError(f"STRIPE_API_BASE must be an http(s) address, not {base!r}.")
    config = StripeConfig(key, webhook, base, settings.public_url)
    if verify:
        try:
            StripeClient(config).sdk.v1.balance.retrieve()
        except stripe.AuthenticationError:
            raise ConfigError("Stripe rejected STRIPE_SECRET_KEY; check it is current.") from None
        except stripe.StripeError as exc:
            raise ConfigError(f"Cannot reach Stripe with these settings: {exc}") from None
    return config


def local_double_url() -> str:
    """The local Stripe double's address (demo mode), from the optional ``core.demo`` package."""
    try:
        double = importlib.import_module("core.demo.stripe_double")
    except ModuleNotFoundError:
        raise ConfigError(
            "STRIPE_API_BASE=local-double needs the demo tooling (core/demo), "
            "which is not installed."
        ) from None
    return str(double.local_double_url())


def _plain(obj: Any) -> Json:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class StripeClient:
    """The calls this product makes to Stripe, returning plain dicts."""

    def __init__(self, config: StripeConfig) -> None:
        self.config = config
        self.sdk = stripe.StripeClient(
            config.secret_key,
            base_addresses={"api": config.api_base} if config.api_base else None,
            max_network_retries=2,
            http_client=stripe.RequestsClient(timeout=config.timeout_s),
        )

    def _call(self, action: str, fn: Any, *args: Any, **kwargs: Any) -> Json:
        try:
            return _plain(fn(*args, **kwargs))
        except stripe.APIConnectionError:
            raise PaymentUnavailable(
                f"Could not reach Stripe to {action}. Nothing is taken twice: try again."
            ) from None
        except (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError) as exc:
            raise PaymentRejected(
                exc.user_message or str(exc), stripe_code=getattr(exc, "code", None)
            ) from None
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe could not {action}: {exc.user_message}") from None

    @staticmethod
    def _key(key: str) -> Any:
        return {"idempotency_key": key}

    # -- card present (Stripe Terminal, server-driven) ---------------------------------

    def readers(self) -> list[Json]:
        listing = self._call("list card readers", self.sdk.v1.terminal.readers.list, {"limit": 100})
        return list(listing.get("data", []))

    def create_card_intent(self, amount_pence: int, metadata: dict[str, str], key: str) -> Json:
        params = {
            "amount": amount_pence,
            "currency": "gbp",
            "payment_method_types": ["card_present"],
            "capture_method": "automatic",
            "metadata": metadata,
        }
        return self._call(
            "start the card payment", self.sdk.v1.payment_intents.create, params, self._key(key)
        )

    def process_on_reader(self, reader_id: str, intent_id: str, key: str) -> Json:
        return self._call(
            "send the payment to the card reader",
            self.sdk.v1.terminal.readers.process_payment_intent,
            reader_id,
            {"payment_intent": intent_id},
            self._key(key),
        )

    def cancel_reader_action(self, reader_id: str) -> Json:
        return self._call(
            "stop the card reader", self.sdk.v1.terminal.readers.cancel_action, reader_id
        )

    def intent(self, intent_id: str) -> Json:
        return self._call("check the payment", self.sdk.v1.payment_intents.retrieve, intent_id)

    def cancel_intent(self, intent_id: str, key: str) -> Json:
        return self._call(
            "cancel the payment",
            self.sdk.v1.payment_intents.cancel,
            intent_id,
            None,
            self._key(key),
        )

    # -- payment links (Checkout Sessions) ---------------------------------------------

    def create_checkout(
        self,
        *,
        amount_pence: int,
        description: str,
        email: str,
        expires_at: datetime,
        metadata: dict[str, str],
        key: str,
        website: bool = False,
        return_page: str | None = None,
    ) -> Json:
        """A Checkout Session; a website booking's returns to the page that embeds the
        widget when it gave one (already checked, ``?rft_paid=REF`` or ``?rft_cancelled=REF``),
        else to the booking page when its public address is known (``{public}/book/?paid=REF``
        or ``?cancelled=REF``)."""
        reference = metadata["reference"]
        if website and return_page:
            success = widget_origins.return_url(return_page, reference, paid=True)
            cancel = widget_origins.return_url(return_page, reference, paid=False)
        elif website and self.config.public_url:
            page = f"{self.config.public_url}/book/"
            success, cancel = f"{page}?paid={reference}", f"{page}?cancelled={reference}"
        else:
            success = "https://rft-training.co.uk/booking/paid"
            cancel = "https://rft-training.co.uk/booking/cancelled"
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "gbp",
                        "unit_amount": amount_pence,
                        "product_data": {"name": description},
                    },
                }
            ],
            "customer_email": email,
            "client_reference_id": reference,
            "expires_at": int(expires_at.timestamp()),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": success,
            "cancel_url": cancel,
        }
        return self._call(
            "create the payment link", self.sdk.v1.checkout.sessions.create, params, self._key(key)
        )

    def checkout(self, session_id: str) -> Json:
        return self._call(
            "check the payment link", self.sdk.v1.checkout.sessions.retrieve, session_id
        )

    def expire_checkout(self, session_id: str, key: str) -> Json:
        return self._call(
            "expire the payment link",
            self.sdk.v1.checkout.sessions.expire,
            session_id,
            None,
            self._key(key),
        )

    # -- refunds and events ------------------------------------------------------------

    def refund(self, intent_id: str, amount_pence: int, metadata: dict[str, str], key: str) -> Json:
        params = {
            "payment_intent": intent_id,
            "amount": amount_pence,
            "metadata": metadata,
            "reason": "requested_by_customer",
        }
        return self._call("refund", self.sdk.v1.refunds.create, params, self._key(key))

    def refund_status(self, refund_id: str) -> Json:
        return self._call("check the refund", self.sdk.v1.refunds.retrieve, refund_id)

    def events_after(self, cursor: str | None, page_size: int = 100) -> list[Json]:
        """Events newer than ``cursor`` (all retained events without one), oldest first.

        A cursor Stripe no longer knows (events are kept 30 days) means reading them all.
        """
        found: dict[str, Json] = {}
        if cursor is None:
            after: str | None = None
            while True:
                params: Json = {"limit": page_size}
                if after:
                    params["starting_after"] = after
                page = self._call("read events", self.sdk.v1.events.list, params)
                for event in page["data"]:
                    found.setdefault(event["id"], event)
                if not page["has_more"] or not page["data"]:
                    break
                after = page["data"][-1]["id"]
        else:
            before = cursor
            while True:
                try:
                    page = self._call(
                        "read events",
                        self.sdk.v1.events.list,
                        {"limit": page_size, "ending_before": before},
                    )
                except PaymentRejected as exc:
                    if exc.data.get("stripe_code") != "resource_missing":
                        raise
                    return self.events_after(None, page_size)
                for event in page["data"]:
                    found.setdefault(event["id"], event)
                if not page["has_more"] or not page["data"]:
                    break
                before = max(page["data"], key=lambda e: (e["created"], e["id"]))["id"]
        return sorted(found.values(), key=lambda e: (e["created"], e["id"]))


def verify_webhook(payload: bytes, signature: str, secret: str) -> Json:
    """Check a webhook's ``Stripe-Signature`` and return the event (for a receiver, if added)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError:
        raise PaymentRejected(
            "The webhook signature does not match STRIPE_WEBHOOK_SECRET."
        ) from None
    except ValueError:
        raise PaymentRejected("The webhook body is not a Stripe event.") from None
    return _plain(event)


_gateways: dict[StripeConfig, StripeClient] = {}
_gateways_lock = threading.Lock()


def gateway_for(settings: Settings) -> StripeClient:
    """The (shared) gateway for these settings; raises ConfigError naming a bad setting."""
    config = check_stripe(settings)
    with _gateways_lock:
        if config not in _gateways:
            _gateways[config] = StripeClient(config)
        return _gateways[config]
