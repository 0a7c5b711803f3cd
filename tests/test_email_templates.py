"""Templates render both parts with the branding; the invite is in London time."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from icalendar import Calendar

from core.infra.clock import london
from core.infra.errors import ValidationFailed
from core.notify import samples
from core.notify.invites import session_invite
from core.notify.render import render, template_names
from core.notify.samples import sample_context
from core.seats.availability import SessionView

OURS = [
    "booking_confirmation",
    "payment_link",
    "reminder_48h",
    "session_changed",
    "refund_notice",
    "payment_link_expired",
    "booking_cancelled",
    "booking_moved",
]


@pytest.mark.parametrize("name", OURS)
def test_every_template_has_subject_text_and_branded_html(name: str) -> None:
    assert name in template_names()
    email = render(name, sample_context(name))
    assert email.subject and "\n" not in email.subject
    assert "RFT-2026-0042" in email.text or "RFT-2026-0042" in email.subject
    assert "RFT First Aid Training" in email.html and "0113 496 0000" in email.text
    assert email.html.lstrip().startswith("<!DOCTYPE html>")
    assert "Mon 30 Mar 2026" in email.text  # the day after the clocks go forward...
    assert "09:00" in email.text  # ...still 09:00 London time


def test_html_escapes_what_customers_typed() -> None:
    context = sample_context("booking_confirmation") | {"customer_name": "<b>Jo</b> & co"}
    email = render("booking_confirmation", context)
    assert "&lt;b&gt;Jo&lt;/b&gt; &amp; co" in email.html
    assert "<b>Jo</b> & co" in email.text


def test_unknown_templates_and_missing_values_are_errors() -> None:
    with pytest.raises(ValidationFailed, match="no email template"):
        render("nope", {})
    with pytest.raises(Exception, match="reference"):
        render("refund_notice", {k: v for k, v in sample_context("x").items() if k != "reference"})


def _view(days: list[tuple[date, time, time]]) -> SessionView:
    spans = [(london(d, a), london(d, b)) for d, a, b in days]
    return SessionView(
        id=7,
        course="faw",
        course_name="First Aid at Work",
        venue="york",
        venue_name="York",
        room=None,
        trainer=None,
        trainer_email=None,
        start=spans[0][0],
        end=spans[-1][1],
        days=spans,
        capacity=12,
        booked=1,
        held=0,
        status="SCHEDULED",
        price_pence=1,
        colour="#000",
        version=3,
    )


def test_an_invite_has_one_event_per_day_across_the_clock_change() -> None:
    view = _view([(date(2026, 10, 23), time(9), time(16)), (date(2026, 10, 26), time(9), time(16))])
    cal = Calendar.from_ical(session_invite(view, reference="RFT-2026-0001"))
    events = list(cal.walk("VEVENT"))
    assert len(events) == 2
    starts = [e.decoded("dtstart") for e in events]
    assert [s.strftime("%H:%M %Z") for s in starts] == ["09:00 BST", "09:00 GMT"]
    assert all("RFT-2026-0001" in str(e.get("description")) for e in events)
    assert len({str(e.get("uid")) for e in events}) == 2
    assert list(cal.walk("VTIMEZONE"))[0]["TZID"] == "Europe/London"


def test_a_template_can_ship_its_own_sample_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "certificate_issued.sample.json").write_text(
        '{"certificate_no": "C-1", "issued_at": "2026-04-01T10:00:00+01:00"}'
    )
    monkeypatch.setattr(samples, "resource", lambda *parts: tmp_path / parts[-1])
    context = samples.sample_context("certificate_issued")
    assert context["certificate_no"] == "C-1"
    assert context["issued_at"].hour == 10 and context["issued_at"].tzinfo is not None
    assert context["reference"] == "RFT-2026-0042"  # the shared values are still there
