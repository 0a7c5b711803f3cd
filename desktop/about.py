"""The About dialog: application name, icon, version and the open-source components inside.

The component list is every distribution that ``rft-booking`` depends on at run time (followed
through requirements and extras), with the licence each declares. A frozen build cannot read
the metadata of everything it bundles, so the PyInstaller spec writes the same list to
``components.json`` at build time (``write_components``) and the dialog reads that instead.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from core.infra.config import APP_NAME
from core.infra.resources import resource

COMPONENTS_FILE = "components.json"
_LICENCE_CLASSIFIER = "License :: OSI Approved :: "


@dataclass(frozen=True)
class Component:
    """One bundled open-source component."""

    name: str
    version: str
    licence: str


def app_icon() -> QIcon:
    """The application icon at every size shipped in resources/icons."""
    icon = QIcon()
    for png in sorted(resource("icons").glob("rft-*.png")):
        icon.addFile(str(png))
    return icon


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    return str((meta.get_all(name) or [""])[0])


def _licence(meta: metadata.PackageMetadata) -> str:
    """The short licence a distribution declares: SPDX expression, short text or classifier."""
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    text = _field(meta, "License").strip()
    if text and "\n" not in text and len(text) <= 60:
        return text
    classifiers = [
        c.removeprefix(_LICENCE_CLASSIFIER)
        for c in meta.get_all("Classifier") or []
        if c.startswith(_LICENCE_CLASSIFIER)
    ]
    if classifiers:
        return " / ".join(classifiers)
    return text.splitlines()[0][:60] if text else "see the component's own notice"


def _requirements(dist: metadata.Distribution, extras: set[str]) -> list[tuple[str, set[str]]]:
    """The (name, extras) this distribution needs at run time with the given extras."""
    from packaging.requirements import Requirement

    wanted = []
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is not None and not any(
            req.marker.evaluate({"extra": extra}) for extra in (extras or {""})
        ):
            continue
        wanted.append((req.name, set(req.extras)))
    return wanted


def runtime_components(root: str = "rft-booking") -> list[Component]:
    """Walk ``root``'s run-time requirements in the installed metadata."""
    seen: dict[str, Component] = {}
    todo: list[tuple[str, set[str]]] = [(root, set())]
    expanded: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if (key, frozenset(extras)) in expanded:
            continue
        expanded.add((key, frozenset(extras)))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform
        if key != root:
            meta = dist.metadata
            seen[key] = Component(meta["Name"], dist.version, _licence(meta))
        todo.extend(_requirements(dist, extras))
    python = Component("Python", platform.python_version(), "PSF-2.0")
    return [python, *sorted(seen.values(), key=lambda c: c.name.lower())]


def write_components(path: Path) -> None:
    """Freeze the component list into ``path`` (called by the PyInstaller spec)."""
    path.write_text(json.dumps([asdict(c) for c in runtime_components()], indent=1))


def bundled_components() -> list[Component]:
    """The list frozen at build time inside a bundle, else read from the installed metadata."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        frozen = Path(bundle) / COMPONENTS_FILE
        return [Component(**row) for row in json.loads(frozen.read_text())]
    return runtime_components()


class AboutDialog(QDialog):
    """Name, icon and version of the app above a table of the components and their licences."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.components = bundled_components()

        logo = QLabel()
        logo.setPixmap(QPixmap(str(resource("icons", "rft-64.png"))))
        title = QLabel(f"<h2>{APP_NAME}</h2>")
        self.version_label = QLabel(f"Version {__version__}")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        blurb = QLabel(
            "Booking desk for first-aid training courses.<br>"
            "Built with the open-source components below, each under its own licence."
        )
        heading = QVBoxLayout()
        for label in (title, self.version_label, blurb):
            heading.addWidget(label)
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        self.table = QTableWidget(len(self.components), 3)
        self.table.setHorizontalHeaderLabels(["Component", "Version", "Licence"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for row, component in enumerate(self.components):
            for col, text in enumerate((component.name, component.version, component.licence)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 480)


def show_about(parent: QWidget | None) -> AboutDialog:
    """Open the About dialog (window-modal, non-blocking) and return it."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
