"""The public booking page in a real browser: a sync server on a background event loop and
headless Chromium (Debian's chromium and chromium-driver) driven by Selenium."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest

from core.background import Workers
from core.infra.db import Database
from server.app import ServerOptions, SyncServer

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
PHONE = (360, 780)
DESKTOP = (1280, 900)
WAIT = 20.0
T = TypeVar("T")


def chromedriver() -> str:
    """The chromium-driver binary, or skip (fail in CI) saying how to get it."""
    found = shutil.which("chromedriver")
    if found and shutil.which("chromium"):
        return found
    reason = (
        "chromium and chromium-driver are not installed "
        "(apt-get install chromium chromium-driver; make test does it when run as root)"
    )
    if os.environ.get("CI") or os.environ.get("RFT_REQUIRE_POSTGRES"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def serving(db: Database, workers: Workers | None = None, **options: Any) -> Iterator[str]:
    """Run a ``SyncServer`` on loopback in a thread; yields its http://host:port."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        server = SyncServer(db, ServerOptions(port=0, **options), workers)
        try:
            await server.start()
            holder["url"] = f"http://127.0.0.1:{server.port}"
        except BaseException as exc:  # reported to the test thread
            holder["error"] = exc
            ready.set()
            raise
        ready.set()
        await stop.wait()
        await server.stop()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(WAIT), "the server did not start"
    if "error" in holder:
        raise holder["error"]
    try:
        yield str(holder["url"])
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(WAIT)
        loop.close()


@contextmanager
def company_site(html: str) -> Iterator[str]:
    """Another origin serving ``html`` at ``/``, as a company's own website would."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{site.server_address[1]}/"
    finally:
        site.shutdown()
        site.server_close()


@contextmanager
def browser(size: tuple[int, int] = DESKTOP) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={size[0]},{size[1]}",
        "--lang=en-GB",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(chromedriver()), options=options)
    driver.set_window_size(*size)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(check: Callable[[], T], what: str, timeout: float = WAIT) -> T:
    """Poll ``check`` until it returns something truthy (exceptions count as not yet)."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # the page is still changing
            last = exc
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


def axe_violations(driver: Any) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
