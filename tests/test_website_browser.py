"""The public booking page in headless Chromium against a real sync server and the Stripe
double: a paid group booking, live seats, the race for the last seat, an expiring hold.

Set ``RFT_WEB_SCREENSHOTS=docs/screenshots`` to save each step at phone and desktop width.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from core.background import Workers, plan
from core.booking import bookings
from core.booking.eligibility import NotEligible, check_people
from core.booking.waitlist import entries
from core.booking.waitlist.entries import Contact
from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.models import CourseSession, OutboxMessage
from tests.factories import make_session, person
from tests.payments_support import DESK
from tests.waitlist_support import full_session, join
from tests.web_support import (
    DESKTOP,
    PHONE,
    axe_violations,
    browser,
    chromedriver,
    company_site,
    serving,
    wait_for,
)


@pytest.fixture
def db(sqlite_db: Database) -> Iterator[Database]:
    chromedriver()
    double = StripeDouble()
    double.start()
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_web", stripe_api_base=double.url, worker_interval_s=0.3
    )
    yield sqlite_db
    double.stop()


def by(css: str) -> tuple[str, str]:
    return ("css selector", css)


def text(driver: Any, css: str) -> str:
    return str(driver.find_element(*by(css)).text)


def visible(driver: Any, css: str) -> bool:
    return bool(driver.find_element(*by(css)).is_displayed())


def check_step(driver: Any, name: str) -> None:
    """No serious accessibility problem at either width; screenshots when asked for."""
    folder = os.environ.get("RFT_WEB_SCREENSHOTS")
    for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
        driver.set_window_size(width, height)
        assert axe_violations(driver) == [], f"{name} at {label} width"
        if folder:
            full = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(max(height, int(full) + 140), 3000))
            driver.save_screenshot(str(Path(folder) / f"web-{name}-{label}.png"))
    driver.set_window_size(*DESKTOP)


def open_page(driver: Any, url: str, query: str = "") -> None:
    driver.get(f"{url}/book/{query}")
    wait_for(lambda: driver.find_elements(*by("#f-course option:nth-child(2)")), "the catalogue")


def list_view(driver: Any) -> None:
    driver.find_element(*by("#show-list")).click()
    wait_for(lambda: driver.find_elements(*by("#list article")), "the session list")


def book_button(driver: Any, session_id: int) -> Any:
    return driver.find_element(*by(f"#list [data-session='{session_id}'] button"))


def fill_attendees(driver: Any, people: list[dict[str, str]]) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(*by("#count"))).select_by_value(str(len(people)))
    wait_for(lambda: driver.find_elements(*by(f"#p{len(people) - 1}-name")), "attendee fields")
    order = driver.execute_script(  # the browser's date fields follow its locale
        "return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2000, 10, 22))"
        ".filter(p => p.type !== 'literal').map(p => p.type)"
    )
    for i, p in enumerate(people):
        driver.find_element(*by(f"#p{i}-name")).send_keys(p["name"])
        driver.find_element(*by(f"#p{i}-email")).send_keys(p["email"])
        year, month, day = p["date_of_birth"].split("-")
        parts = {"year": year, "month": month, "day": day}
        driver.find_element(*by(f"#p{i}-date_of_birth")).send_keys("".join(parts[k] for k in order))


def one_attendee_to_review(driver: Any, url: str, session_id: int) -> None:
    """Open the page, choose the session in the list, fill one attendee and continue."""
    open_page(driver, url)
    list_view(driver)
    book_button(driver, session_id).click()
    wait_for(lambda: visible(driver, "#step-attendees"), "the attendees step")
    fill_attendees(driver, [person(1)])
    driver.find_element(*by("#to-review")).click()


def test_a_group_of_five_books_and_pays_through_checkout(db: Database) -> None:
    sid = make_session(db, capacity=12, days_ahead=12)
    make_session(db, capacity=12, days_ahead=30)
    workers = Workers(db, {"payments": plan(db.settings).loops["payments"]})
    with serving(db, workers) as url, browser() as driver:
        open_page(driver, url)
        wait_for(lambda: driver.find_elements(*by("#calendar table")), "the calendar")
        if not driver.find_elements(*by("#calendar .day-button")):  # the session is next month
            driver.find_element(*by("#calendar .month-nav button:last-child")).click()
        wait_for(lambda: driver.find_elements(*by("#calendar .day-button")), "a day with a dot")
        driver.find_element(*by("#calendar .day-button")).click()
        wait_for(lambda: driver.find_elements(*by("#day-list article")), "the day's courses")
        check_step(driver, "calendar")
        list_view(driver)
        check_step(driver, "list")
        book_button(driver, sid).click()
        wait_for(lambda: visible(driver, "#step-attendees"), "the attendees step")
        assert "held for you" in text(driver, "#hold")
        driver.find_element(*by("#to-review")).click()  # nothing typed yet
        wait_for(
            lambda: "Enter the attendee's full name." in text(driver, "#p0-name-error"), "errors"
        )
        described = driver.find_element(*by("#p0-name")).get_attribute("aria-describedby")
        assert described == "p0-name-error"
        fill_attendees(driver, [person(n) for n in range(1, 6)])
        wait_for(lambda: "5 seats held" in text(driver, "#hold"), "five seats held")
        born = driver.find_element(*by("#p4-date_of_birth")).get_attribute("value")
        assert born == person(5)["date_of_birth"]
        assert "Group discount" in text(driver, "#summary")
        check_step(driver, "attendees")
        driver.find_element(*by("#to-review")).click()
        wait_for(lambda: visible(driver, "#step-review"), "the review step")
        driver.find_element(*by("#to-pay")).click()
        assert "agree to the booking terms" in text(driver, "#terms-error")
        check_step(driver, "review")
        driver.find_element(*by("#terms")).click()
        driver.find_element(*by("#consent")).click()
        driver.find_element(*by("#to-pay")).click()
        wait_for(lambda: visible(driver, "#step-pay"), "the payment step")
        reference = text(driver, "#pay-reference")
        assert reference.startswith("RFT-")
        assert "£" in text(driver, "#pay-link") and "Places reserved" in text(driver, "#hold")
        check_step(driver, "pay")
        driver.find_element(*by("#pay-link")).click()  # the same tab goes to Stripe's page
        wait_for(lambda: driver.find_elements(*by("form button")), "the checkout page")
        assert len(driver.window_handles) == 1
        driver.find_element(*by("a")).click()  # Back, without paying
        wait_for(lambda: driver.find_elements(*by("#step-pay:not([hidden])")), "the return")
        assert "left Stripe's page without paying" in text(driver, "#alert")
        assert text(driver, "#pay-reference") == reference
        driver.find_element(*by("#pay-link")).click()
        wait_for(lambda: driver.find_elements(*by("form button")), "the checkout page again")
        driver.find_element(*by("form button")).click()  # pays; Stripe sends us back
        wait_for(lambda: "/book/" in driver.current_url, "Stripe's return to the page")
        wait_for(lambda: visible(driver, "#step-done"), "the confirmation", timeout=30)
        assert text(driver, "#done-reference") == reference
        ics = driver.find_element(*by("#ics")).get_attribute("href")
        assert "BEGIN%3AVCALENDAR" in ics and reference in ics
        check_step(driver, "done")
    with db.read() as tx:
        booking = bookings.find(tx, reference)
        assert (booking.status, len(booking.attendees)) == ("CONFIRMED", 5)
        assert booking.discount_pence > 0


def test_a_seat_taken_at_the_desk_shows_in_the_widget_without_reload(db: Database) -> None:
    sid = make_session(db, capacity=3, days_ahead=12)
    with serving(db) as url, browser() as driver, ExitStack() as stack:
        site = stack.enter_context(company_site(widget_page(url)))
        driver.get(site)  # localhost: another origin than the booking server's 127.0.0.1
        frame = wait_for(lambda: driver.find_element(*by("iframe")), "the widget's frame")
        assert "course=efaw" in frame.get_attribute("src")
        driver.switch_to.frame(frame)
        wait_for(lambda: driver.find_elements(*by("#f-course option:nth-child(2)")), "catalogue")
        assert driver.find_element(*by("#f-course")).get_attribute("value") == "efaw"
        list_view(driver)
        wait_for(lambda: "3 of 3 seats free" in text(driver, f"[data-session='{sid}']"), "seats")
        with db.write() as tx:
            bookings.book_now(tx, sid, [person(1), person(2)], DESK)
        wait_for(lambda: "1 of 3 seats free" in text(driver, f"[data-session='{sid}']"), "live")


def widget_page(url: str) -> str:
    """Any company's page: the two snippets, nothing else."""
    return (
        f"<!DOCTYPE html><title>Our courses</title><script src='{url}/widget.js'></script>"
        "<div data-rft-booking data-course='efaw'><noscript>"
        f"<a href='{url}/book/'>Book</a></noscript></div>"
    )


def test_the_widget_pays_in_the_whole_window_and_comes_back_to_the_company_page(
    db: Database,
) -> None:
    sid = make_session(db, capacity=6, days_ahead=12)
    workers = Workers(db, {"payments": plan(db.settings).loops["payments"]})
    with serving(db, workers) as url, browser() as driver, ExitStack() as stack:
        site = stack.enter_context(company_site(widget_page(url)))
        db.settings = db.settings.with_overrides(widget_origins=(site.rstrip("/"),))
        driver.get(f"{site}?page=courses")
        driver.switch_to.frame(wait_for(lambda: driver.find_element(*by("iframe")), "frame"))
        wait_for(lambda: driver.find_elements(*by("#f-course option:nth-child(2)")), "catalogue")
        list_view(driver)
        book_button(driver, sid).click()
        wait_for(lambda: visible(driver, "#step-attendees"), "the attendees step")
        fill_attendees(driver, [person(1)])
        driver.find_element(*by("#to-review")).click()
        wait_for(lambda: visible(driver, "#step-review"), "the review step")
        driver.find_element(*by("#terms")).click()
        driver.find_element(*by("#consent")).click()
        driver.find_element(*by("#to-pay")).click()
        wait_for(lambda: visible(driver, "#step-pay"), "the payment step")
        reference = text(driver, "#pay-reference")
        assert "new tab" not in text(driver, "#pay-link")
        driver.find_element(*by("#pay-link")).click()
        driver.switch_to.default_content()
        wait_for(lambda: driver.find_elements(*by("form button")), "Stripe's page, whole window")
        assert len(driver.window_handles) == 1 and not driver.current_url.startswith(site)
        driver.find_element(*by("form button")).click()  # pays; Stripe sends us back
        wait_for(lambda: driver.find_elements(*by("iframe")), "the company's page again")
        assert driver.current_url == f"{site}?page=courses"  # the widget took rft_paid away
        driver.switch_to.frame(driver.find_element(*by("iframe")))
        wait_for(lambda: visible(driver, "#step-done"), "the confirmation", timeout=30)
        assert text(driver, "#done-reference") == reference
        ics = driver.find_element(*by("#ics")).get_attribute("href")
        assert "BEGIN%3AVCALENDAR" in ics and reference in ics
    with db.read() as tx:
        assert bookings.find(tx, reference).status == "CONFIRMED"


def test_two_browsers_race_for_the_last_seat(db: Database) -> None:
    last = make_session(db, capacity=1, days_ahead=12)
    other = make_session(db, capacity=8, days_ahead=20)
    with serving(db) as url, browser() as first, browser() as second:
        for driver in (first, second):
            open_page(driver, url)
            list_view(driver)
        press = f"document.querySelector(\"#list [data-session='{last}'] button\").click()"
        for driver in (first, second):  # both press Book, as close together as they can
            driver.execute_script(press)
        wait_for(
            lambda: [visible(d, "#step-attendees") for d in (first, second)].count(True) == 1,
            "one winner",
        )
        loser = second if visible(first, "#step-attendees") else first
        told = wait_for(
            lambda: (
                loser.find_element(*by("#alert")).text
                if visible(loser, "#alert")
                else text(loser, f"[data-session='{last}']")
            ),
            "the loser told",
        )
        assert "taken the last seat" in told or "Fully booked" in told
        offered = wait_for(lambda: loser.find_elements(*by("#full .others button")), "others")
        assert "8 seats free" in offered[0].text
        offered[0].click()
        wait_for(lambda: visible(loser, "#step-attendees"), "the alternative held")
        assert str(other) and "held for you" in text(loser, "#hold")


def test_a_hold_that_expires_on_the_page(db: Database) -> None:
    sid = make_session(db, capacity=4, days_ahead=12)
    db.settings = db.settings.with_overrides(hold_minutes=0.1)  # six seconds
    with serving(db, sweep_interval=0.5) as url, browser() as driver:
        open_page(driver, url)
        list_view(driver)
        book = book_button(driver, sid)
        keyboard = ActionChains(driver)
        for _ in range(60):  # keyboard only: Tab to the session's Book button, press Enter
            if driver.switch_to.active_element == book:
                break
            keyboard.send_keys(Keys.TAB).perform()
        assert driver.switch_to.active_element == book
        keyboard.send_keys(Keys.ENTER).perform()
        wait_for(lambda: visible(driver, "#step-attendees"), "the attendees step")
        name = driver.find_element(*by("#p0-name"))
        for _ in range(10):
            if driver.switch_to.active_element == name:
                break
            keyboard.send_keys(Keys.TAB).perform()
        keyboard.send_keys("Kept Name").perform()
        assert driver.find_element(*by("#p0-name")).get_attribute("value") == "Kept Name"
        wait_for(
            lambda: "released because time ran out" in text(driver, "#alert"),
            "the hold to run out",
            timeout=30,
        )
        assert visible(driver, "#step-choose")
        assert driver.find_element(*by("#count")).get_attribute("value") == "1"
        wait_for(
            lambda: "4 of 4 seats free" in text(driver, f"[data-session='{sid}']"), "seats back"
        )
        check_step(driver, "expired")


def test_a_waiting_list_offer_link_opens_the_attendees_step_with_its_hold(db: Database) -> None:
    sid, refs = full_session(db, [2, 2])
    entry = join(db, sid, 2, "pair")
    with db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    with db.read() as tx:
        [offered] = [e for e in entries.list_entries(tx, sid) if e.id == entry]
        [email] = tx.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.template == "waitlist_offer")
        )
    link = re.search(r"\?offer=([\w-]+)&token=([\w-]+)", email)
    assert link is not None and link[1] == offered.hold_id
    with serving(db) as url, browser() as driver:
        open_page(driver, url, f"?offer={link[1]}&token={link[2]}")
        wait_for(lambda: visible(driver, "#step-attendees"), "the attendees step")
        assert "2 seats held for you" in text(driver, "#hold")
        count = driver.find_element(*by("#count"))
        assert count.get_attribute("value") == "2" and not count.is_enabled()
        for i, p in enumerate([person(60), person(61)]):
            driver.find_element(*by(f"#p{i}-name")).send_keys(p["name"])
            driver.find_element(*by(f"#p{i}-email")).send_keys(p["email"])
            driver.execute_script(
                "const f = arguments[0]; f.value = arguments[1];"
                "f.dispatchEvent(new Event('input'))",
                driver.find_element(*by(f"#p{i}-date_of_birth")),
                p["date_of_birth"],
            )
        driver.find_element(*by("#to-review")).click()
        wait_for(lambda: visible(driver, "#step-review"), "the review step")
        open_page(driver, url, f"?offer={link[1]}&token=not-the-token")
        wait_for(lambda: "offer has ended" in text(driver, "#alert"), "the refusal")
        assert visible(driver, "#step-choose")


def test_the_review_step_asks_for_agreement_only_after_book_and_pay(db: Database) -> None:
    sid = make_session(db, capacity=4, days_ahead=12)
    with serving(db) as url, browser() as driver:
        one_attendee_to_review(driver, url, sid)
        wait_for(lambda: visible(driver, "#step-review"), "the review step")
        errors = ("#terms-error", "#consent-error")
        assert not any(visible(driver, css) for css in errors)
        assert driver.find_element(*by("#terms")).get_attribute("aria-invalid") is None
        driver.find_element(*by("#to-pay")).click()  # nothing ticked
        assert "agree to the booking terms" in text(driver, "#terms-error")
        assert "attendees' details" in text(driver, "#consent-error")
        driver.find_element(*by("#terms")).click()  # ticking clears its own message
        assert not visible(driver, "#terms-error") and visible(driver, "#consent-error")
        driver.find_element(*by("#back-attendees")).click()
        wait_for(lambda: visible(driver, "#step-attendees"), "back to the attendees")
        driver.find_element(*by("#to-review")).click()
        wait_for(lambda: visible(driver, "#step-review"), "the review step again")
        assert not any(visible(driver, css) for css in errors)


def test_a_group_too_big_for_a_session_sees_other_venues_and_joins_the_waiting_list(
    db: Database,
) -> None:
    sid = make_session(db, capacity=4, days_ahead=12)
    with db.write() as tx:
        bookings.book_now(tx, sid, [person(1), person(2)], DESK)
    far = make_session(db, venue="hull", capacity=8, days_ahead=9)
    near = make_session(db, venue="bradford", capacity=8, days_ahead=40)
    make_session(db, venue="york", capacity=3, days_ahead=20)  # too small for four
    with serving(db) as url, browser() as driver:
        open_page(driver, url)
        list_view(driver)
        book_button(driver, sid).click()
        wait_for(lambda: visible(driver, "#step-attendees"), "the attendees step")
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element(*by("#count"))).select_by_value("4")
        elsewhere = wait_for(lambda: driver.find_element(*by("#alert button")), "the offer")
        assert "Only 2 seats are available" in text(driver, "#alert")
        elsewhere.click()
        wait_for(lambda: visible(driver, "#full"), "the alternatives")
        assert "cannot take 4 people" in text(driver, "#full h3")
        others = wait_for(lambda: driver.find_elements(*by("#full .others button")), "others")
        assert [o.text.split(" at ")[1].split(" (")[0] for o in others] == ["Bradford", "Hull"]
        assert "km away, later" in others[0].text and "km away, earlier" in others[1].text
        check_step(driver, "full")
        driver.find_element(*by("#waitlist-form button[type=submit]")).click()
        assert "Enter your name." in text(driver, "#w-name-error")
        driver.find_element(*by("#w-name")).send_keys("Group Leader")
        driver.find_element(*by("#w-email")).send_keys("leader@example.com")
        driver.find_element(*by("#waitlist-form button[type=submit]")).click()
        joined = wait_for(lambda: text(driver, "#w-outcome"), "joined")
        assert "you are on the waiting list" in joined and "leader@example.com" in joined
        with db.read() as tx:
            [entry] = entries.list_entries(tx, sid)
        assert (entry.seats, entry.contact_email, entry.status) == (
            4,
            "leader@example.com",
            "waiting",
        )
        wait_for(lambda: driver.find_elements(*by("#full .others button")), "others")
        driver.find_element(*by("#full .others button")).click()  # Bradford, for all four
        wait_for(lambda: visible(driver, "#step-attendees"), "the alternative held")
        assert "4 seats held for you" in text(driver, "#hold")
        assert "Bradford" in text(driver, "#chosen") and str(near) and str(far)


def test_a_requalification_refused_offers_the_full_course(db: Database) -> None:
    sid = make_session(db, course="efaw-requal", capacity=6, days_ahead=12)
    full_course = make_session(db, course="efaw", capacity=6, days_ahead=20)
    with serving(db) as url, browser() as driver:
        one_attendee_to_review(driver, url, sid)
        button = wait_for(lambda: driver.find_element(*by("#full-course")), "the refusal")
        with db.read() as tx:
            session = tx.get_one(CourseSession, sid)
            try:
                check_people(tx, session, [Contact("Test Person1", "person1@example.com")], DESK)
            except NotEligible as refused:
                core_words = refused.message
        assert text(driver, "#alert").startswith(core_words)  # the desk's and rft book's words
        assert button.text == "Book Emergency First Aid at Work instead"
        assert visible(driver, "#step-attendees")
        check_step(driver, "not-eligible")
        button.click()
        wait_for(lambda: visible(driver, "#step-choose"), "the first step")
        assert driver.find_element(*by("#f-course")).get_attribute("value") == "efaw"
        # pushes re-draw the list (the requalification's seats came back): click what is there
        wait_for(lambda: book_button(driver, full_course).click() is None, "the full course")
        wait_for(lambda: visible(driver, "#step-attendees"), "the full course's attendees")
        assert driver.find_element(*by("#p0-name")).get_attribute("value") == "Test Person1"
