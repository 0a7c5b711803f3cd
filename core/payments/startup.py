"""Start-up checks for email and payments: a wrong setting is reported when the server or
desktop starts, naming the variable, not at the first payment."""

from __future__ import annotations

from core.infra.config import Settings
from core.infra.errors import ConfigError
from core.notify.sender import check_smtp, verify_smtp
from core.payments.gateway import check_stripe


def settings_problems(settings: Settings, *, verify: bool = False) -> list[str]:
    """Every problem with the SMTP and Stripe settings, as messages naming the variable.

    With ``verify`` the SMTP server is signed in to and the Stripe key tried once.
    """
    problems = []
    try:
        smtp = check_smtp(settings)
        if verify:
            verify_smtp(smtp)
    except ConfigError as exc:
        problems.append(exc.message)
    try:
        check_stripe(settings, verify=verify)
    except ConfigError as exc:
        problems.append(exc.message)
    return problems


def check_settings(settings: Settings, *, verify: bool = False) -> None:
    """Raise one ConfigError listing every problem (for a server that must not start)."""
    problems = settings_problems(settings, verify=verify)
    if problems:
        raise ConfigError(" ".join(problems), problems=problems)
