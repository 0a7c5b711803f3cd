"""Which other websites may use the public booking service from a browser.

The allow-list is ``RFT_WIDGET_ORIGINS`` plus the booking server's own origin
(``RFT_PUBLIC_URL``). It decides two things: which pages Stripe Checkout may send a
visitor back to after paying in the embedded widget (anything else would make the
server an open redirect), and which browser pages may open the ``/public`` WebSocket.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.config import Settings, origin_of
from core.errors import ValidationFailed

RETURN_PARAMS = ("rft_paid", "rft_cancelled")  # what the widget reads on the way back
RETURN_URL_MAX = 2000


def allowed(settings: Settings) -> frozenset[str]:
    """The embedding origins, and the booking server's own."""
    own = {origin_of(settings.public_url)} if settings.public_url else set()
    return frozenset(settings.widget_origins) | own


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
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


def return_url(settings: Settings, page: str, reference: str, *, paid: bool) -> str:
    """Where Checkout sends a widget visitor back to: ``page`` (the embedding page's
    address) with ``rft_paid=REF`` or ``rft_cancelled=REF``; refused unless its origin is
    allowed."""
    found = _origin(page) if len(page) <= RETURN_URL_MAX else None
    if found is None or found not in allowed(settings):
        site = found or "this page"
        raise ValidationFailed(
            f"Payments cannot return to {site}: it is not one of the sites allowed to embed "
            "the booking widget. Please book on our own booking page instead.",
            field="return_url",
        )
    parts = urlsplit(page)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in RETURN_PARAMS]
    query.append((RETURN_PARAMS[0] if paid else RETURN_PARAMS[1], reference))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
