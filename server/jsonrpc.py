"""JSON-RPC 2.0 as plain functions over plain data: no sockets, no event loop.

``parse`` turns one text frame into requests (or ready-made error responses), ``result``,
``error`` and ``notification`` build messages, and ``error_for`` maps an exception to a
JSON-RPC error object. The connection layer feeds frames in and writes what comes out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.infra.errors import DomainError

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RATE_LIMITED = -32029
MAX_BATCH = 50
MAX_DEPTH = 32  # arrays and objects inside one another; real requests need a handful

RequestId = str | int | None


@dataclass(frozen=True)
class Request:
    """One well-formed call. ``notification`` calls get no response."""

    id: RequestId
    method: str
    params: dict[str, Any] | None
    notification: bool = False


@dataclass(frozen=True)
class Invalid:
    """A message that could not be a request; ``response`` is the error to send back."""

    response: dict[str, Any]


Item = Request | Invalid


@dataclass(frozen=True)
class Parsed:
    """What one frame held: ``batch`` says whether responses go back as an array."""

    items: list[Item]
    batch: bool


def error(request_id: RequestId, code: int, message: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": body}


def result(request_id: RequestId, value: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": value}


def notification(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}


def encode(message: Any) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def _request(raw: Any) -> Item:
    if not isinstance(raw, dict):
        return Invalid(error(None, INVALID_REQUEST, "A request must be a JSON object."))
    rid = raw.get("id")
    if "id" in raw and (isinstance(rid, bool) or not isinstance(rid, str | int | type(None))):
        return Invalid(error(None, INVALID_REQUEST, "The id must be a string or a number."))
    if raw.get("jsonrpc") != "2.0":
        return Invalid(error(rid, INVALID_REQUEST, 'The "jsonrpc" member must be "2.0".'))
    method = raw.get("method")
    if not isinstance(method, str) or not method:
        return Invalid(error(rid, INVALID_REQUEST, 'The "method" member must be a string.'))
    params = raw.get("params")
    if params is not None and not isinstance(params, dict):
        return Invalid(error(rid, INVALID_PARAMS, "Params must be an object (named params)."))
    extra = set(raw) - {"jsonrpc", "id", "method", "params"}
    if extra:
        return Invalid(error(rid, INVALID_REQUEST, f"Unknown member {sorted(extra)[0]!r}."))
    return Request(rid, method, params, notification="id" not in raw)


def _too_deep(raw: Any) -> bool:
    """Whether arrays and objects nest more than ``MAX_DEPTH`` levels (checked without
    recursion, so no frame can exhaust the stack of whatever reads it next)."""
    stack = [(raw, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def parse(frame: str | bytes) -> Parsed:
    """One WebSocket text frame into requests; never raises."""
    too_deep = f"The message nests more than {MAX_DEPTH} levels deep."
    try:
        raw = json.loads(frame)
    except RecursionError:
        return Parsed([Invalid(error(None, PARSE_ERROR, too_deep))], False)
    except (ValueError, UnicodeDecodeError):
        return Parsed([Invalid(error(None, PARSE_ERROR, "The message is not valid JSON."))], False)
    if _too_deep(raw):
        return Parsed([Invalid(error(None, PARSE_ERROR, too_deep))], False)
    if not isinstance(raw, list):
        return Parsed([_request(raw)], False)
    if not raw:
        return Parsed([Invalid(error(None, INVALID_REQUEST, "A batch must not be empty."))], False)
    if len(raw) > MAX_BATCH:
        message = f"A batch may hold at most {MAX_BATCH} requests."
        return Parsed([Invalid(error(None, INVALID_REQUEST, message))], False)
    return Parsed([_request(item) for item in raw], True)


def error_for(exc: BaseException) -> tuple[int, str, dict[str, Any] | None]:
    """(code, message, data) for an exception: domain errors keep their code and message."""
    if isinstance(exc, DomainError):
        return exc.rpc_code, exc.message, {"code": exc.code, **exc.data}
    return INTERNAL_ERROR, "Something went wrong on the server; please try again.", None


def error_reply(request: Request, exc: BaseException) -> dict[str, Any]:
    """The error response to ``request`` for ``exc``."""
    code, message, data = error_for(exc)
    return error(request.id, code, message, data)


def result_frame(request_id: RequestId, encoded_result: str) -> str:
    """The response to a request whose result is already encoded: byte for byte
    ``encode(result(request_id, value))``, without encoding ``value`` again."""
    return f'{{"jsonrpc":"2.0","id":{encode(request_id)},"result":{encoded_result}}}'


def batch_frame(parsed: Parsed, frames: list[str | None]) -> str | None:
    """What to send for a whole frame, given each request's encoded response (None for a
    notification): one object, an array, or None (notifications only)."""
    sent = [f for f in frames if f is not None]
    if not sent:
        return None
    return f"[{','.join(sent)}]" if parsed.batch else sent[0]
