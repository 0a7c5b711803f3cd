"""The About dialog: name, icon, version and the open-source components with their licences."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core import __version__
from core.infra.config import APP_NAME
from desktop import about


def _rows(dialog: about.AboutDialog) -> dict[str, tuple[str, str]]:
    table = dialog.table
    return {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }


def test_about_shows_name_version_icon_and_licences(qtbot: QtBot) -> None:
    dialog = about.show_about(None)
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)

    assert APP_NAME in dialog.windowTitle()
    assert __version__ in dialog.version_label.text()
    assert not dialog.windowIcon().isNull()
    rows = _rows(dialog)
    assert rows["Python"][1] == "PSF-2.0"
    assert "LGPL-3.0" in rows["PySide6_Essentials"][1]
    assert rows["SQLAlchemy"][1] == "MIT"
    assert "rft-booking" not in rows  # the app itself is not a third-party component


def test_every_dependency_in_pyproject_is_listed_with_a_licence() -> None:
    names = {c.name.lower().replace("_", "-") for c in about.runtime_components()}
    for dependency in ("sqlalchemy", "alembic", "jinja2", "reportlab", "keyring", "websockets"):
        assert dependency in names
    assert all(c.licence for c in about.runtime_components())
    assert "pytest" not in names  # test extras are not bundled


def test_a_bundle_reads_the_list_frozen_at_build_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    about.write_components(tmp_path / about.COMPONENTS_FILE)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(about, "runtime_components", lambda: pytest.fail("read metadata"))

    frozen = about.bundled_components()

    assert [c.name for c in frozen][:1] == ["Python"]
    assert any(c.name == "SQLAlchemy" for c in frozen)


def test_app_icon_has_every_size_for_the_window_and_taskbar(qtbot: QtBot) -> None:
    sizes = {(s.width(), s.height()) for s in about.app_icon().availableSizes()}
    assert {(16, 16), (32, 32), (256, 256)} <= sizes
    icons = Path(about.resource("icons"))
    assert (icons / "rft.ico").stat().st_size > 0
    assert (icons / "rft.icns").stat().st_size > 0
