"""Render an email template (``<name>.html.j2`` + ``<name>.txt.j2``) with the company branding.

Each template extends the shared layout (``_base.html.j2`` / ``_base.txt.j2``) and defines a
``subject`` block. Templates other areas add follow the same pattern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from core.infra.clock import to_london, uk_date, uk_datetime
from core.infra.errors import ValidationFailed
from core.infra.money import gbp
from core.infra.resources import resource
from core.infra.terms import refund_rule

BRAND: dict[str, str] = {
    "company": "RFT First Aid Training",
    "tagline": "First aid training across Yorkshire",
    "phone": "0113 496 0000",
    "email": "bookings@rft-training.co.uk",
    "website": "https://rft-training.co.uk",
    "address": "RFT First Aid Training Ltd, 12 Park Row, Leeds LS1 5HD",
    "primary": "#b3122e",
    "dark": "#1f2937",
    "light": "#f6f4f1",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _time(moment: datetime) -> str:
    return f"{to_london(moment):%H:%M}"


def _when(moment: datetime | date) -> str:
    return uk_datetime(moment) if isinstance(moment, datetime) else uk_date(moment)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(resource("templates", "email"))),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(gbp=gbp, uk_date=uk_date, uk_datetime=uk_datetime, time=_time, when=_when)
    env.globals["brand"] = BRAND
    env.globals["refund_rule"] = refund_rule
    return env


def template_names() -> list[str]:
    """Every template that has both an HTML and a text part."""
    names = {n.split(".")[0] for n in environment().list_templates() if not n.startswith("_")}
    return sorted(n for n in names if _has(n, "html") and _has(n, "txt"))


def _has(name: str, kind: str) -> bool:
    return resource("templates", "email", f"{name}.{kind}.j2").exists()


def render(template: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render both parts and the subject; an unknown template or missing value is an error."""
    env = environment()
    try:
        html_t = env.get_template(f"{template}.html.j2")
        text_t = env.get_template(f"{template}.txt.j2")
    except TemplateNotFound:
        raise ValidationFailed(f"There is no email template called {template!r}.") from None
    ctx = dict(context)
    subject_ctx = text_t.new_context(ctx)
    subject = "".join(text_t.blocks["subject"](subject_ctx)).strip()
    return RenderedEmail(
        subject=" ".join(subject.split()),
        text=text_t.render(ctx),
        html=html_t.render(ctx),
    )
