"""JSON-RPC parsing and error mapping, without a socket."""

from __future__ import annotations

import json

from core.infra.errors import NotEnoughSeats
from server import jsonrpc


def test_garbage_is_a_parse_error_with_a_null_id() -> None:
    parsed = jsonrpc.parse("{not json")
    assert isinstance(parsed.items[0], jsonrpc.Invalid)
    assert parsed.items[0].response == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "The message is not valid JSON."},
    }


def test_requests_must_be_objects_with_version_and_method() -> None:
    cases = [
        ("42", -32600),
        ('{"jsonrpc": "1.0", "id": 1, "method": "x"}', -32600),
        ('{"jsonrpc": "2.0", "id": 1}', -32600),
        ('{"jsonrpc": "2.0", "id": {"a": 1}, "method": "x"}', -32600),
        ('{"jsonrpc": "2.0", "id": 1, "method": "x", "params": [1, 2]}', -32602),
        ('{"jsonrpc": "2.0", "id": 1, "method": "x", "extra": true}', -32600),
        ("[]", -32600),
    ]
    for text, code in cases:
        item = jsonrpc.parse(text).items[0]
        assert isinstance(item, jsonrpc.Invalid), text
        assert item.response["error"]["code"] == code, text


def test_a_batch_keeps_each_request_and_each_problem_in_order() -> None:
    parsed = jsonrpc.parse(
        json.dumps(
            [
                {"jsonrpc": "2.0", "id": "a", "method": "sessions.list"},
                7,
                {"jsonrpc": "2.0", "method": "changes.since"},
            ]
        )
    )
    assert parsed.batch
    first, second, third = parsed.items
    assert first == jsonrpc.Request("a", "sessions.list", None)
    assert isinstance(second, jsonrpc.Invalid)
    assert isinstance(third, jsonrpc.Request) and third.notification


def test_oversized_batches_are_refused_whole() -> None:
    calls = [{"jsonrpc": "2.0", "id": i, "method": "x"} for i in range(jsonrpc.MAX_BATCH + 1)]
    parsed = jsonrpc.parse(json.dumps(calls))
    assert not parsed.batch
    assert parsed.items[0].response["error"]["code"] == -32600  # type: ignore[union-attr]


def test_notifications_only_means_nothing_to_send() -> None:
    parsed = jsonrpc.parse('[{"jsonrpc": "2.0", "method": "a"}]')
    assert jsonrpc.batch_frame(parsed, [None]) is None


def test_domain_errors_keep_their_code_message_and_data() -> None:
    request = jsonrpc.Request(3, "holds.create", {})
    exc = NotEnoughSeats("Not enough seats: only 1 seat left.", free=1, session_id=9)
    assert jsonrpc.error_reply(request, exc) == {
        "jsonrpc": "2.0",
        "id": 3,
        "error": {
            "code": -32010,
            "message": "Not enough seats: only 1 seat left.",
            "data": {"code": "not_enough_seats", "free": 1, "session_id": 9},
        },
    }


def test_unexpected_errors_do_not_leak_details() -> None:
    reply = jsonrpc.error_reply(jsonrpc.Request(1, "x", None), KeyError("secret internals"))
    assert reply["error"]["code"] == -32603
    assert "secret" not in json.dumps(reply)


def test_a_result_encoded_beforehand_makes_the_same_frames() -> None:
    value = {"days": {"2027-03-01": [{"id": 1, "course_name": "Café first aid"}]}}
    for rid in (7, 'a"b', None):
        whole = jsonrpc.encode(jsonrpc.result(rid, value))
        assert jsonrpc.result_frame(rid, jsonrpc.encode(value)) == whole
    calls = [{"jsonrpc": "2.0", "id": i, "method": "a"} for i in (1, 2)]
    parsed = jsonrpc.parse(json.dumps(calls))
    one, two = jsonrpc.result_frame(1, "[]"), jsonrpc.result_frame(2, "{}")
    assert jsonrpc.batch_frame(parsed, [one, None, two]) == jsonrpc.encode(
        [jsonrpc.result(1, []), jsonrpc.result(2, {})]
    )
