"""Which other websites may use the public booking service from a browser.

The allow-list is ``RFT_WIDGET_ORIGINS`` plus the booking server's own origin
(``RFT_PUBLIC_URL``). It decides two things: which pages Stripe Checkout may send a
visitor back to after paying in the embedded widget (anything else would make the
server an open redirect), and which browser pages may open the ``/public`` WebSocket.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.infra.config import Settings, origin_of
from core.infra.errors import ValidationFailed

RETURN_PARAMS = ("rft_paid", "rft_cancelled")  # what the widget reads on the way back
RETURN_URL_MAX = 2000


def allowed(settings: Settings) -> frozenset[str]:
    """The embedding origins, and the booking server's own."""
    own = {origin_of(settings.public_url)} if settings.public_url else set()
    return frozenset(settings.widget_origins) | own


def _origin(url: str) -> str | None:
    """The origin of a plain http(s) URL; None for anything a browser might read otherwise
    (a backslash, white space or a user name can make it go to another host than ours)."""
    if "\\" in url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
            return None
        return origin_of(url)
    except ValueError:  # a port that is not a number
        return None


def browser_may_connect(settings: Settings, origin: str | None, host: str) -> bool:
    """Whether a WebSocket handshake with this ``Origin`` and ``Host`` may use ``/public``.

    No ``Origin`` is a client that is not a browser (it could send any Origin it liked, so
    there is nothing to check); a browser page from the server itself (its Origin names the
    host the browser connected to) or an allowed site may connect; every other page may not.
    """
    if origin is None:
        return True
    found = _origin(origin)
    if found is None:
        return False
    scheme = found.split("://", 1)[0]
    return found in allowed(settings) or found == _origin(f"{scheme}://{host}")


def checked_page(settings: Settings, page: str) -> str:
    """The embedding page's address (``page``, without its fragment), if its origin is
    allowed; refused otherwise, so Checkout can never be made to send anyone elsewhere."""
    found = _origin(page) if len(page) <= RETURN_URL_MAX else None
    if found is None or found not in allowed(settings):
        site = found or "this page"
        raise ValidationFailed(
            f"Payments cannot return to {site}: it is not one of the sites allowed to embed "
            "the booking widget (RFT_WIDGET_ORIGINS).",
            field="return_url",
        )
    return urlunsplit(urlsplit(page)._replace(fragment=""))


def return_url(page: str, reference: str, *, paid: bool) -> str:
    """A checked ``page`` with ``rft_paid=REF`` or ``rft_cancelled=REF`` for the widget."""
    parts = urlsplit(page)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in RETURN_PARAMS]
    query.append((RETURN_PARAMS[0] if paid else RETURN_PARAMS[1], reference))
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query)))
