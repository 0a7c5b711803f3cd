"""Recorded-response tests: a frozen clock, seeded random ids and tokens, one normaliser,
and a transcript that is compared byte for byte (``RFT_RECORD=1`` writes it instead)."""

from __future__ import annotations

import base64
import contextlib
import difflib
import json
import os
import random
import secrets
import uuid
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import jwt.api_jwt
import pytest

from core.infra import clock

RECORDED = Path(__file__).with_name("recorded")

# Values no test can fix, replaced by ``<field>`` wherever a JSON field of this name carries
# them (and wherever else the same value appears): the Stripe double names checkout pages
# after the real time, a TOTP secret comes from the system's randomness, a PDF carries its
# creation time (PDFs are checked by their own tests).
VOLATILE_FIELDS = frozenset({"url", "otpauth_uri", "pdf_base64"})


class _AnyDatetime(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, datetime)  # the JWT library checks claims with it


class FrozenClock:
    """``core.infra.clock.now()`` (and the JWT library's idea of now) stand still at ``at`` until
    the script moves them on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
        self.at = at
        frozen = self

        class Frozen(datetime, metaclass=_AnyDatetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return frozen.at.astimezone(tz or UTC)

        monkeypatch.setattr(clock, "datetime", Frozen)
        monkeypatch.setattr(jwt.api_jwt, "datetime", Frozen)


def seed_randomness(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Random ids (``uuid.uuid4``) and tokens (``secrets.token_urlsafe``) from one seeded
    generator, so hold ids, hold tokens and refresh tokens repeat run after run."""
    rng = random.Random(seed)

    def token_urlsafe(nbytes: int | None = None) -> str:
        return base64.urlsafe_b64encode(rng.randbytes(nbytes or 32)).rstrip(b"=").decode()

    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(bytes=rng.randbytes(16), version=4))
    monkeypatch.setattr(secrets, "token_urlsafe", token_urlsafe)


class Transcript:
    """What a script sent and the exact text it got back, with volatile values replaced."""

    def __init__(self, name: str) -> None:
        self.path = RECORDED / name
        self.lines: list[str] = []
        self.placeholders: dict[str, str] = {}

    def volatile(self, value: str, placeholder: str) -> None:
        """Replace ``value`` by ``placeholder`` wherever it appears from now on."""
        self.placeholders[value] = placeholder

    def add(self, prompt: str, output: str) -> None:
        self.lines.append(prompt)
        self.lines.extend(self.normalise(output).splitlines())

    def normalise(self, text: str) -> str:
        """``text`` with volatile values replaced; it stays byte for byte otherwise."""
        for document in (text, *text.splitlines()):  # a printed JSON, or one frame a line
            with contextlib.suppress(ValueError):
                self._collect(json.loads(document))
        for value in sorted(self.placeholders, key=len, reverse=True):  # URLs before hosts
            text = text.replace(value, self.placeholders[value])
        return text

    def _collect(self, value: Any, field: str = "") -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._collect(item, key)
        elif isinstance(value, list):
            for item in value:
                self._collect(item, field)
        elif isinstance(value, str) and value and field in VOLATILE_FIELDS:
            self.placeholders.setdefault(value, f"<{field}>")

    def check(self) -> None:
        """Write the transcript under ``RFT_RECORD=1``; otherwise compare it with the file."""
        text = "\n".join(self.lines) + "\n"
        if os.environ.get("RFT_RECORD"):
            self.path.write_text(text, encoding="utf-8")
            return
        recorded = self.path.read_text(encoding="utf-8")
        if text != recorded:
            diff = difflib.unified_diff(
                recorded.splitlines(),
                text.splitlines(),
                f"recorded/{self.path.name}",
                "now",
                lineterm="",
            )
            pytest.fail(
                "output differs from the recording (RFT_RECORD=1 rewrites it if the change "
                "is meant):\n" + "\n".join(diff),
                pytrace=False,
            )
