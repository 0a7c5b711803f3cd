"""A local stand-in for the Stripe API, for tests and demo mode. Nothing reaches the internet.

A small ``http.server`` in a thread speaking Stripe's wire format for what this product
uses: form-encoded requests with bracketed keys, JSON objects with ``object`` and ``id``,
Stripe's error shape, ``Idempotency-Key`` replay, list pagination and the Events API.
Endpoints: payment intents, checkout sessions, refunds, events, balance, terminal readers
and the test helper that presents a card to a reader. The official SDK is pointed at it
through its base address.

Faults for tests: ``fail_next(path, mode)`` with mode ``timeout`` (the request is carried
out but the reply comes later than the client waits), ``lost_response`` (carried out, the
connection drops before the reply), ``unreachable``
(connection dropped before anything happens) or ``server_error``; ``duplicate_events`` lists
every event twice; ``reverse_events`` hands them out newest first within a page.
A card number ending ``0002`` is declined, as on real Stripe.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Json = dict[str, Any]
DECLINE_SUFFIX = "0002"
_REFUSALS: dict[str, tuple[int, Json]] = {  # fault mode -> the answer Stripe would give
    "server_error": (500, {"error": {"type": "api_error", "message": "Something broke."}}),
    "bad_request": (
        400,
        {"error": {"type": "invalid_request_error", "message": "Invalid value for the request."}},
    ),
    "not_found": (
        404,
        {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such object.",
            }
        },
    ),
    "forbidden": (
        403,
        {
            "error": {
                "type": "invalid_request_error",
                "message": "The provided key does not have the required permissions.",
            }
        },
    ),
}


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message, "code": code, "param": param}}


def nest(pairs: list[tuple[str, str]]) -> Json:
    """``a[b][0][c]=x`` form keys into nested dicts and lists, as Stripe reads them."""
    root: Json = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for part, following in itertools.pairwise([*parts, None]):
            if following is None:
                node[part] = value
                break
            if part not in node:
                node[part] = {}
            node = node[part]
    nested: Json = _lists(root)
    return nested


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


@dataclass
class Fault:
    path: str
    mode: str
    times: int


@dataclass
class StripeDouble:
    """The fake Stripe. ``start()`` returns its base address; ``stop()`` shuts it down."""

    api_key_prefix: str = "sk_test_"
    webhook_secret: str = "whsec_test_double"
    duplicate_events: bool = False
    reverse_events: bool = False
    auto_present: dict[str, str] = field(default_factory=dict)  # reader id → card number
    auto_present_after_s: float = 3.0
    timeout_delay_s: float = 1.5
    refunds_pending: bool = False  # refunds wait at "the bank" until settle_refunds()
    objects: dict[str, Json] = field(default_factory=dict)
    events: list[Json] = field(default_factory=list)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    _idempotent: dict[str, tuple[str, Json, int, Json]] = field(default_factory=dict)
    _faults: list[Fault] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        for rid, label, status in (
            ("tmr_desk_1", "Front desk reader", "online"),
            ("tmr_desk_2", "Training room reader", "online"),
            ("tmr_offline", "Spare reader (offline)", "offline"),
        ):
            self.objects[rid] = {
                "id": rid,
                "object": "terminal.reader",
                "label": label,
                "status": status,
                "device_type": "bbpos_wisepos_e",
                "livemode": False,
                "action": None,
            }

    # -- lifecycle ---------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        double = self

        class Handler(_Handler):
            owner = double

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="stripe-double"
        )
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the double first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- test controls -----------------------------------------------------------------

    def fail_next(self, path: str, mode: str = "lost_response", times: int = 1) -> None:
        """Make the next ``times`` requests whose path contains ``path`` fail as ``mode``."""
        if mode not in ("lost_response", "timeout", "unreachable", *_REFUSALS):
            raise ValueError(mode)
        with self._lock:
            self._faults.append(Fault(path, mode, times))

    def clear_faults(self) -> None:
        """Stripe is back: forget every fault still waiting."""
        with self._lock:
            self._faults.clear()

    def take_fault(self, path: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.path in path and fault.times > 0:
                    fault.times -= 1
                    return fault.mode
        return None

    def of_type(self, kind: str) -> list[Json]:
        with self._lock:
            return [o for o in self.objects.values() if o["object"] == kind]

    def pay_checkout(self, session_id: str) -> Json:
        """The customer pays on the hosted page (what a browser would do)."""
        with self._lock:
            session = self._get(session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeError(400, f"Checkout Session {session_id} is {session['status']}.")
            intent = self._new_intent(
                {
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "metadata": session["payment_intent_data_metadata"],
                }
            )
            self._succeed(intent)
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            self._event("checkout.session.completed", session)
            return session

    def settle_refunds(self) -> None:
        """Pending refunds go through (the bank has processed them)."""
        with self._lock:
            for refund in self.of_type("refund"):
                if refund["status"] == "pending":
                    refund["status"] = "succeeded"
                    self._event("refund.updated", refund)

    def forget_idempotency_keys(self) -> None:
        """Stripe keeps idempotency keys for 24 hours; this is the day after."""
        with self._lock:
            self._idempotent.clear()

    def signed_webhook(self, event: Json, at: int | None = None) -> tuple[bytes, str]:
        """A webhook body and its ``Stripe-Signature`` header, signed like Stripe does."""
        payload = json.dumps(event).encode()
        stamp = at or int(time.time())
        mac = hmac.new(
            self.webhook_secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256
        ).hexdigest()
        return payload, f"t={stamp},v1={mac}"

    # -- objects -----------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):06d}{int(time.time() * 1000) % 100000:05d}"

    def _get(self, oid: str, kind: str) -> Json:
        obj = self.objects.get(oid)
        if obj is None or obj["object"] != kind:
            raise StripeError(
                404, f"No such {kind.split('.')[-1]}: '{oid}'", code="resource_missing", param="id"
            )
        return obj

    def _event(self, kind: str, obj: Json) -> None:
        self.events.append(
            {
                "id": self._id("evt"),
                "object": "event",
                "api_version": "2025-01-27.acacia",
                "created": int(time.time()),
                "type": kind,
                "livemode": False,
                "pending_webhooks": 0,
                "data": {"object": json.loads(json.dumps(obj))},
            }
        )

    def _new_intent(self, p: Json) -> Json:
        try:
            amount = int(p["amount"])
        except (KeyError, ValueError):
            raise StripeError(400, "Missing required param: amount.", param="amount") from None
        if amount < 30:
            raise StripeError(
                400, "Amount must be at least £0.30 gbp", code="amount_too_small", param="amount"
            )
        intent = {
            "id": self._id("pi"),
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "amount_refunded": 0,
            "currency": p.get("currency", "gbp"),
            "status": "requires_payment_method",
            "metadata": p.get("metadata") or {},
            "payment_method_types": p.get("payment_method_types") or ["card"],
            "capture_method": p.get("capture_method", "automatic"),
            "last_payment_error": None,
            "latest_charge": None,
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[intent["id"]] = intent
        self._event("payment_intent.created", intent)
        return intent

    def _succeed(self, intent: Json) -> None:
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=self._id("ch"),
            last_payment_error=None,
        )
        self._event("payment_intent.succeeded", intent)

    # -- routing -----------------------------------------------------------------------

    def handle(self, method: str, path: str, p: Json) -> Json:
        with self._lock:
            return json.loads(json.dumps(self._route(method, path, p)))  # type: ignore[no-any-return]

    def _route(self, method: str, path: str, p: Json) -> Json:
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"/v1/balance", self._balance),
            ("POST", r"/v1/payment_intents", self._create_intent),
            ("GET", r"/v1/payment_intents/([^/]+)", self._get_intent),
            ("POST", r"/v1/payment_intents/([^/]+)/cancel", self._cancel_intent),
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/([^/]+)", self._get_session),
            ("POST", r"/v1/checkout/sessions/([^/]+)/expire", self._expire_session),
            ("POST", r"/v1/refunds", self._create_refund),
            ("GET", r"/v1/refunds/([^/]+)", lambda p, rid: self._get(rid, "refund")),
            ("GET", r"/v1/events", self._list_events),
            ("GET", r"/v1/events/([^/]+)", lambda p, eid: self._event_by_id(eid)),
            ("GET", r"/v1/terminal/readers", self._list_readers),
            (
                "GET",
                r"/v1/terminal/readers/([^/]+)",
                lambda p, rid: self._get(rid, "terminal.reader"),
            ),
            ("POST", r"/v1/terminal/readers/([^/]+)/process_payment_intent", self._process),
            ("POST", r"/v1/terminal/readers/([^/]+)/cancel_action", self._cancel_action),
            (
                "POST",
                r"/v1/test_helpers/terminal/readers/([^/]+)/present_payment_method",
                self._present,
            ),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return handler(p, *match.groups())  # type: ignore[no-any-return]
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _balance(self, p: Json) -> Json:
        return {
            "object": "balance",
            "livemode": False,
            "available": [{"amount": 0, "currency": "gbp"}],
            "pending": [{"amount": 0, "currency": "gbp"}],
        }

    def _create_intent(self, p: Json) -> Json:
        return self._new_intent(p)

    def _get_intent(self, p: Json, pid: str) -> Json:
        return self._get(pid, "payment_intent")

    def _cancel_intent(self, p: Json, pid: str) -> Json:
        intent = self._get(pid, "payment_intent")
        if intent["status"] in ("succeeded", "canceled"):
            raise StripeError(
                400,
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        intent["status"] = "canceled"
        for reader in self.of_type("terminal.reader"):
            action = reader["action"] or {}
            if action.get("process_payment_intent", {}).get("payment_intent") == pid:
                reader["action"] = None
        self._event("payment_intent.canceled", intent)
        return intent

    def _create_session(self, p: Json) -> Json:
        items = p.get("line_items") or []
        try:
            amount = sum(
                int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items
            )
        except (KeyError, TypeError, ValueError):
            raise StripeError(400, "Invalid line_items.", param="line_items") from None
        expires_at = int(p.get("expires_at") or time.time() + 86400)
        if expires_at < time.time() + 29 * 60:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be at least 30 minutes "
                "from Checkout Session creation.",
                param="expires_at",
            )
        sid = self._id("cs")
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": p.get("mode", "payment"),
            "amount_total": amount,
            "currency": items[0]["price_data"].get("currency", "gbp") if items else "gbp",
            "status": "open",
            "payment_status": "unpaid",
            "url": f"{self.url}/pay/{sid}",
            "expires_at": expires_at,
            "metadata": p.get("metadata") or {},
            "client_reference_id": p.get("client_reference_id"),
            "customer_email": p.get("customer_email"),
            "success_url": p.get("success_url"),
            "cancel_url": p.get("cancel_url"),
            "payment_intent": None,
            "livemode": False,
            "created": int(time.time()),
            "payment_intent_data_metadata": (p.get("payment_intent_data") or {}).get("metadata")
            or {},
        }
        self.objects[sid] = session
        return session

    def _get_session(self, p: Json, sid: str) -> Json:
        return self._get(sid, "checkout.session")

    def _expire_session(self, p: Json, sid: str) -> Json:
        session = self._get(sid, "checkout.session")
        if session["status"] != "open":
            raise StripeError(
                400,
                'Only Checkout Sessions with a status in ["open"] can be '
                f"expired. This session has a status of {session['status']}.",
                code="checkout_session_unexpected_state",
            )
        session["status"] = "expired"
        self._event("checkout.session.expired", session)
        return session

    def _create_refund(self, p: Json) -> Json:
        intent = self._get(str(p.get("payment_intent")), "payment_intent")
        if intent["status"] != "succeeded":
            raise StripeError(
                400,
                f"PaymentIntent {intent['id']} has not been paid.",
                code="charge_not_refundable",
            )
        left = intent["amount_received"] - intent["amount_refunded"]
        amount = int(p.get("amount") or left)
        if amount > left or amount <= 0:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than the unrefunded "
                f"amount on the charge ({left}).",
                code="amount_too_large",
                param="amount",
            )
        intent["amount_refunded"] += amount
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "pending" if self.refunds_pending else "succeeded",
            "metadata": p.get("metadata") or {},
            "reason": p.get("reason"),
            "created": int(time.time()),
        }
        self.objects[refund["id"]] = refund
        self._event("refund.created", refund)
        self._event("charge.refunded", intent)
        return refund

    def _event_by_id(self, eid: str) -> Json:
        for event in self.events:
            if event["id"] == eid:
                return event
        raise StripeError(404, f"No such event: '{eid}'", code="resource_missing")

    def _list_events(self, p: Json) -> Json:
        newest_first = list(reversed(self.events))
        limit = min(int(p.get("limit", 10)), 100)
        ids = [e["id"] for e in newest_first]
        for cursor in ("ending_before", "starting_after"):
            if p.get(cursor) and p[cursor] not in ids:
                raise StripeError(
                    404, f"No such event: '{p[cursor]}'", code="resource_missing", param=cursor
                )
        if p.get("ending_before"):  # the page just newer than the cursor, newest first
            end = ids.index(p["ending_before"])
            newer = newest_first[:end]
            page = newer[-limit:]
            more = len(newer) > limit
        else:
            start = ids.index(p["starting_after"]) + 1 if p.get("starting_after") else 0
            page = newest_first[start : start + limit]
            more = len(newest_first) > start + limit
        if self.reverse_events:
            page = list(reversed(page))
        if self.duplicate_events:
            page = [e for e in page for _ in (0, 1)]
        return {"object": "list", "url": "/v1/events", "has_more": more, "data": page}

    def _list_readers(self, p: Json) -> Json:
        return {
            "object": "list",
            "url": "/v1/terminal/readers",
            "has_more": False,
            "data": self.of_type("terminal.reader"),
        }

    def _process(self, p: Json, rid: str) -> Json:
        reader = self._get(rid, "terminal.reader")
        intent = self._get(str(p.get("payment_intent")), "payment_intent")
        if reader["status"] != "online":
            raise StripeError(400, f"Reader {rid} is offline.", code="terminal_reader_offline")
        action = reader["action"]
        if action and action["status"] == "in_progress":
            raise StripeError(
                400, f"Reader {rid} is busy with another payment.", code="terminal_reader_busy"
            )
        if intent["status"] != "requires_payment_method":
            raise StripeError(
                400,
                f"PaymentIntent {intent['id']} is {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        reader["action"] = {
            "type": "process_payment_intent",
            "status": "in_progress",
            "failure_code": None,
            "failure_message": None,
            "process_payment_intent": {"payment_intent": intent["id"]},
        }
        if rid in self.auto_present:
            timer = threading.Timer(self.auto_present_after_s, self._auto_tap, (rid, intent["id"]))
            timer.daemon = True
            timer.start()
        return reader

    def _auto_tap(self, rid: str, intent_id: str) -> None:
        """Demo mode: a customer taps a card a few seconds after the reader asks."""
        with self._lock:
            action = self.objects[rid]["action"]
            waiting = action and action["status"] == "in_progress"
            if waiting and action["process_payment_intent"]["payment_intent"] == intent_id:
                self._present({"card_present": {"number": self.auto_present[rid]}}, rid)

    def _cancel_action(self, p: Json, rid: str) -> Json:
        reader = self._get(rid, "terminal.reader")
        reader["action"] = None
        return reader

    def _present(self, p: Json, rid: str) -> Json:
        reader = self._get(rid, "terminal.reader")
        action = reader["action"]
        if not action or action["status"] != "in_progress":
            raise StripeError(
                400,
                f"Reader {rid} has no payment in progress.",
                code="terminal_reader_action_unexpected",
            )
        intent = self._get(action["process_payment_intent"]["payment_intent"], "payment_intent")
        number = str((p.get("card_present") or {}).get("number") or "4242424242424242")
        if number.endswith(DECLINE_SUFFIX):
            error = {
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "type": "card_error",
            }
            intent["last_payment_error"] = error
            action.update(
                status="failed", failure_code="card_declined", failure_message=error["message"]
            )
            self._event("payment_intent.payment_failed", intent)
        else:
            self._succeed(intent)
            action["status"] = "succeeded"
        return reader

    # -- idempotency -------------------------------------------------------------------

    def replay(self, key: str, method: str, path: str, p: Json) -> tuple[int, Json] | None:
        with self._lock:
            stored = self._idempotent.get(key)
        if stored is None:
            return None
        s_path, s_params, status, body = stored
        if (s_path, s_params) != (f"{method} {path}", p):
            raise StripeError(
                400,
                "Keys for idempotent requests can only be used with the "
                "same parameters they were first used with.",
                type_="idempotency_error",
            )
        return status, body

    def remember(self, key: str, method: str, path: str, p: Json, status: int, body: Json) -> None:
        with self._lock:
            self._idempotent[key] = (f"{method} {path}", p, status, body)


class _Handler(BaseHTTPRequestHandler):
    owner: StripeDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        double = self.owner
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if url.path.startswith("/pay/"):
            self._hosted_page(method, url.path.removeprefix("/pay/"))
            return
        params = nest(parse_qsl(raw or url.query, keep_blank_values=True))
        key = self.headers.get("Idempotency-Key")
        double.requests.append((method, url.path, key))
        fault = double.take_fault(url.path)
        if fault == "unreachable":
            self.close_connection = True
            return
        if fault in _REFUSALS:
            self._reply(*_REFUSALS[fault])
            return
        auth = self.headers.get("Authorization", "")
        if not auth.startswith(f"Bearer {double.api_key_prefix}"):
            self._reply(
                401,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Invalid API Key provided.",
                    }
                },
            )
            return
        try:
            replayed = double.replay(key, method, url.path, params) if key else None
            if replayed is not None:
                status, body = replayed
                headers = {"Idempotent-Replayed": "true"}
            else:
                headers = {}
                try:
                    status, body = 200, double.handle(method, url.path, params)
                except StripeError as exc:
                    status, body = exc.status, exc.body
                if key and method == "POST":
                    double.remember(key, method, url.path, params, status, body)
        except StripeError as exc:
            status, body, headers = exc.status, exc.body, {}
        if fault == "timeout":  # carried out, but the answer comes too late for the client
            time.sleep(double.timeout_delay_s)
        if fault in ("lost_response", "timeout"):
            self.close_connection = True
            return
        self._reply(status, body, headers)

    def _reply(
        self,
        status: int,
        body: Json,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = (json.dumps(body) if content_type == "application/json" else body["html"]).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{int(time.time() * 1000)}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _hosted_page(self, method: str, sid: str) -> None:
        """A stand-in for Stripe's hosted checkout page, so demo mode can be clicked through.

        Like Stripe, paying sends the browser on to the session's ``success_url`` and the
        page offers a way back to its ``cancel_url``.
        """
        try:
            if method == "POST":
                self.owner.pay_checkout(sid)
            with self.owner._lock:
                session = self.owner._get(sid, "checkout.session")
        except StripeError as exc:
            self._reply(
                exc.status,
                {"html": exc.body["error"]["message"]},
                content_type="text/html; charset=utf-8",
            )
            return
        success = (session.get("success_url") or "").replace("{CHECKOUT_SESSION_ID}", sid)
        if method == "POST" and success:
            self.send_response(303)
            self.send_header("Location", success)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        amount = f"£{session['amount_total'] / 100:,.2f}"
        back = (
            f"<p><a href='{html.escape(session['cancel_url'], quote=True)}'>Back</a></p>"
            if session.get("cancel_url")
            else ""
        )
        body = (
            f"<p>Paid {amount}. Thank you.</p>"
            if session["status"] == "complete"
            else f"<form method='post'><p>Test payment page (Stripe double)</p><button>Pay "
            f"{amount}</button></form>{back}"
            if session["status"] == "open"
            else "<p>This payment link has expired.</p>"
        )
        self._reply(
            200,
            {"html": f"<!DOCTYPE html><title>Pay</title>{body}"},
            content_type="text/html; charset=utf-8",
        )


_double_lock = threading.Lock()
_double: StripeDouble | None = None


def local_double_url() -> str:
    """Start (once per process) the double the demo runs against: the front desk's reader pays,
    the training room's declines."""
    global _double
    with _double_lock:
        if _double is None:
            _double = StripeDouble(
                auto_present={"tmr_desk_1": "4242424242424242", "tmr_desk_2": "4000000000000002"}
            )
            _double.start()
        return str(_double.url)
