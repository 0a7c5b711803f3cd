"""The public booking page and its widget, served as static files from ``server/web/``.

``GET /book/`` is the booking page, ``GET /widget.js`` the embeddable widget, and
``GET /web/<file>`` the page's modules and styles. Files are read once at start-up; each
reply carries an ETag (``If-None-Match`` gets 304), a Cache-Control suited to the file, gzip
when the client accepts it, and for the page a Content-Security-Policy it passes itself.
"""

from __future__ import annotations

import gzip
import hashlib
import http
import re
from dataclasses import dataclass
from pathlib import Path

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

WEB_DIR = Path(__file__).with_name("web")
PAGE_PATH = "/book/"
WIDGET_PATH = "/widget.js"
ASSET_PREFIX = "/web/"
HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
PAGE_CACHE = "no-cache"  # always revalidated, so a new release shows at once
ASSET_CACHE = "public, max-age=300"
# The page may be framed by any site (that is what the widget does); everything it loads,
# and the WebSocket it opens, is its own origin.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' {ws}; form-action 'self'; base-uri 'none'; frame-ancestors *"
)


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes
    content_type: str
    etag: str
    cache: str


def _load(path: Path, cache: str) -> StaticFile:
    body = path.read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return StaticFile(body, gzip.compress(body, mtime=0), TYPES[path.suffix], etag, cache)


class StaticSite:
    """Every file the public page needs, by URL path."""

    def __init__(self, root: Path = WEB_DIR) -> None:
        self.files: dict[str, StaticFile] = {
            PAGE_PATH: _load(root / "book.html", PAGE_CACHE),
            WIDGET_PATH: _load(root / "widget.js", ASSET_CACHE),
        }
        for path in sorted(root.iterdir()):
            if path.suffix in TYPES and path.name not in ("book.html", "widget.js"):
                self.files[ASSET_PREFIX + path.name] = _load(path, ASSET_CACHE)

    def serves(self, path: str) -> bool:
        return path in self.files or path == PAGE_PATH.rstrip("/")

    def respond(self, path: str, request: Request) -> Response:
        headers = Headers()
        if path not in self.files:  # "/book" without the slash
            headers["Location"] = PAGE_PATH
            return _response(http.HTTPStatus.MOVED_PERMANENTLY, headers, b"")
        found = self.files[path]
        headers["Cache-Control"] = found.cache
        headers["Vary"] = "Accept-Encoding"
        headers["X-Content-Type-Options"] = "nosniff"
        if path == PAGE_PATH:
            host = request.headers.get("Host", "")
            ws = f"ws://{host} wss://{host}" if HOST.fullmatch(host) else ""
            headers["Content-Security-Policy"] = PAGE_CSP.format(ws=ws)
            headers["Referrer-Policy"] = "no-referrer"
        packed = accepts_gzip(request.headers.get("Accept-Encoding", ""))
        etag = found.etag[:-1] + '-gz"' if packed else found.etag  # one tag per encoding
        headers["ETag"] = etag
        if matches(etag, request.headers.get("If-None-Match", "")):
            return _response(http.HTTPStatus.NOT_MODIFIED, headers, b"")
        headers["Content-Type"] = found.content_type
        if packed:
            headers["Content-Encoding"] = "gzip"
        return _response(http.HTTPStatus.OK, headers, found.gzipped if packed else found.body)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip: named (or ``*``) and not ``q=0``."""
    allowed: dict[str, bool] = {}
    for item in accept_encoding.lower().split(","):
        coding, *options = (part.strip() for part in item.split(";"))
        allowed[coding] = _quality(options) > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def _quality(options: list[str]) -> float:
    for option in options:
        name, _, value = option.partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def matches(etag: str, if_none_match: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weakly compared) or is ``*``."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _response(status: http.HTTPStatus, headers: Headers, body: bytes) -> Response:
    headers["Content-Length"] = str(len(body))
    return Response(status.value, status.phrase, headers, body)
