"""A visitor whose booking page is turned away (too many pages open from their address) is
told what to do, not only that the connection was lost."""

from __future__ import annotations

from core.infra.db import Database
from tests.test_website_browser import by, open_page, text, visible
from tests.web_support import browser, chromedriver, serving, wait_for


def test_a_page_turned_away_for_too_many_open_pages_says_to_close_some(
    sqlite_db: Database,
) -> None:
    chromedriver()
    with serving(sqlite_db, visitor_connections=1) as url, browser() as first:
        open_page(first, url)
        with browser() as second:
            second.get(f"{url}/book/")
            wait_for(lambda: visible(second, "#connection"), "the connection note")
            assert "close the others" in text(second, "#connection")
        assert not visible(first, "#connection")
        assert first.find_elements(*by("#f-course option:nth-child(2)"))
