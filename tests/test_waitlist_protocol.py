"""Waiting list, alternatives and eligibility over the wire: staff run the list; the website
gets alternatives and the eligibility reason, never a contact or a certificate date."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.infra.clock import today_london
from core.infra.db import Database
from tests.factories import make_session, person
from tests.server_support import add_api_key, add_staff, peer, running_server
from tests.waitlist_support import certify, full_session


def test_staff_run_the_list_and_the_website_sees_no_personal_data(sqlite_db: Database) -> None:
    sid, refs = full_session(sqlite_db, [2])
    york = make_session(sqlite_db, venue="york")
    requal = make_session(sqlite_db, course="efaw-requal", days_ahead=20)
    certify(sqlite_db, "person1@example.com", "efaw", today_london() - timedelta(days=200))
    key = add_api_key(sqlite_db)
    desk = add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            async with peer(server.url) as staff:
                await staff.login(desk)
                entry = await staff.call(
                    "waitlist.add",
                    {
                        "session_id": sid,
                        "seats": 2,
                        "contact": {"name": "Jo", "email": "jo@example.com"},
                    },
                )
                assert entry["position"] == 1 and entry["status"] == "waiting"
                await staff.call("bookings.cancel", {"reference": refs[0]})
                listed = await staff.call("waitlist.list", {"session_id": sid})
                assert [(e["id"], e["status"]) for e in listed] == [(entry["id"], "offered")]
                declined = await staff.call("waitlist.decline", {"id": entry["id"]})
                assert declined["status"] == "declined"
                bad = await staff.request(
                    "waitlist.add",
                    {
                        "session_id": sid,
                        "seats": 13,
                        "contact": {"name": "Jo", "email": "jo@example.com"},
                    },
                )
                assert bad["error"]["code"] == -32602
                hold = await staff.call("holds.create", {"session_id": requal, "seats": 1})
                refused = await staff.request(
                    "bookings.create",
                    {
                        "hold_id": hold["id"],
                        "hold_token": hold["hold_token"],
                        "attendees": [person(1)],
                    },
                )
                assert refused["error"]["data"]["code"] == "not_eligible"
                assert "expired on" in refused["error"]["message"]
            async with peer(server.url) as web:
                await web.call("auth.authenticate", {"api_key": key})
                alts = await web.call("sessions.alternatives", {"session_id": sid, "seats": 2})
                assert york in [a["id"] for a in alts]
                assert all(
                    set(a)
                    == {"id", "course", "venue", "venue_name", "start", "free", "distance_km"}
                    for a in alts
                )
                verdict = await web.call(
                    "eligibility.check",
                    {
                        "session_id": requal,
                        "attendees": [{"name": "Test Person1", "email": "person1@example.com"}],
                    },
                )
                assert verdict["eligible"] is False and verdict["full_course"] == "efaw"
                assert "ran out more than 28 days" in verdict["reason"]
                assert "expired on" not in verdict["reason"]
                sneaky = await web.request(
                    "eligibility.check",
                    {
                        "session_id": requal,
                        "attendees": [{"name": "X", "email": "x@example.com"}],
                        "eligibility": {"override_reason": "let me in"},
                    },
                )
                assert sneaky["error"]["code"] == -32003
                assert (await web.request("waitlist.list", {"session_id": sid}))["error"][
                    "code"
                ] == -32003

    asyncio.run(scenario())
