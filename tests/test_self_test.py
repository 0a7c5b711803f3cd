"""``rft --self-test`` run in-process from the source tree, offscreen."""

from __future__ import annotations

import io
import os

import pytest
from pytestqt.qtbot import QtBot

from desktop.tools import self_test


def test_every_check_passes_from_source(qtbot: QtBot) -> None:
    out = io.StringIO()
    data_dir_before = os.environ["RFT_DATA_DIR"]

    passed = self_test.self_test(out)

    lines = out.getvalue().splitlines()
    failures = [line for line in lines if line.startswith("FAIL")]
    assert passed, failures
    assert failures == []
    checked = {line.removeprefix("PASS ") for line in lines if line.startswith("PASS")}
    for name in (
        "database migrates",
        "demo data",
        "about dialog",
        "main window: Calendar",
        "wizard step: session",
        "wizard step: attendees",
        "wizard step: review",
        "wizard step: payment",
        "wizard step: confirmation",
        "email template: booking_confirmation",
        "certificate pdf",
        "report: utilisation",
    ):
        assert name in checked
    assert lines[-1].startswith("self-test: all ") and lines[-1].endswith(" checks passed")
    assert os.environ["RFT_DATA_DIR"] == data_dir_before  # the throwaway dir is undone


def test_a_missing_feature_module_is_a_visible_failure(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def needs_a_module_that_was_never_merged(ctx: self_test.Context) -> None:
        self_test.need("core.not_merged_yet")

    monkeypatch.setattr(
        self_test, "CHECKS", [("future feature", needs_a_module_that_was_never_merged)]
    )
    out = io.StringIO()

    assert self_test.self_test(out) is False
    assert out.getvalue().splitlines()[0] == (
        "FAIL future feature: feature module core.not_merged_yet is not in this build"
    )
    assert self_test.main([]) == 1


def test_a_check_that_needs_the_database_says_so_when_migration_failed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = dict(self_test.CHECKS)["demo data"]
    monkeypatch.setattr(self_test, "CHECKS", [("demo data", demo)])
    out = io.StringIO()

    self_test.self_test(out)

    assert out.getvalue().splitlines()[0] == (
        "FAIL demo data: needs the migrated database (see the database check)"
    )
