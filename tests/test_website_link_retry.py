"""The booking page when the payment link cannot be made at once (Stripe unreachable): the
booking is made once, the visitor is told, and pressing the button again fetches the link
for that same booking instead of failing or stranding it."""

from __future__ import annotations

from sqlalchemy import func, select

from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.models import Booking
from tests.factories import make_session
from tests.test_website_browser import (
    by,
    one_attendee_to_review,
    text,
    visible,
)
from tests.web_support import browser, chromedriver, serving, wait_for


def test_a_failed_payment_link_is_retried_for_the_same_booking(sqlite_db: Database) -> None:
    chromedriver()
    sid = make_session(sqlite_db, capacity=12, days_ahead=12)
    double = StripeDouble()
    double.start()
    try:
        reachable = sqlite_db.settings.with_overrides(
            stripe_secret_key="sk_test_web", stripe_api_base=double.url
        )
        sqlite_db.settings = reachable.with_overrides(stripe_api_base="http://127.0.0.1:9")
        with serving(sqlite_db) as url, browser() as driver:
            one_attendee_to_review(driver, url, sid)
            wait_for(lambda: visible(driver, "#step-review"), "the review step")
            driver.find_element(*by("#terms")).click()
            driver.find_element(*by("#consent")).click()
            driver.find_element(*by("#to-pay")).click()
            wait_for(lambda: visible(driver, "#alert") and text(driver, "#alert"), "the problem")
            assert "Stripe" in text(driver, "#alert") or "try again" in text(driver, "#alert")
            assert not visible(driver, "#back-attendees")  # the booking is made: no edits
            sqlite_db.settings = reachable  # Stripe is back
            wait_for(lambda: driver.find_element(*by("#to-pay")).is_enabled(), "the button")
            driver.find_element(*by("#to-pay")).click()
            wait_for(lambda: visible(driver, "#step-pay"), "the payment step")
            reference = text(driver, "#pay-reference")
            assert driver.find_element(*by("#pay-link")).get_attribute("href").startswith("http")
    finally:
        double.stop()
    with sqlite_db.read() as tx:
        assert tx.scalar(select(func.count()).select_from(Booking)) == 1
        assert tx.scalars(select(Booking.reference)).one() == reference
