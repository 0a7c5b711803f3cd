"""Where the desk's data lives: this computer's database, or a booking server's address."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.style_sheet import set_state

SERVER_KEY = "server/url"


def valid_server_url(text: str) -> bool:
    return text == "" or (text.startswith(("ws://", "wss://")) and len(text) > 6)


class SettingsDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.changed = False  # saved with a different server than before
        self.setWindowTitle("Settings")
        self.url = QLineEdit(str(settings.value(SERVER_KEY, "") or ""))
        self.url.setPlaceholderText("ws://bookings.example:8765/ws")
        self.help = QLabel(
            "Leave the server empty to work on this computer's own database. "
            "The desk restarts to use a new setting."
        )
        self.help.setWordWrap(True)
        self.problem = QLabel()
        set_state(self.problem, "error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Booking &server", self.url)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def save(self) -> None:
        url = self.url.text().strip()
        if not valid_server_url(url):
            self.problem.setText("The server address starts with ws:// or wss://.")
            return
        self.changed = url != str(self.settings.value(SERVER_KEY, "") or "")
        self.settings.setValue(SERVER_KEY, url)
        self.settings.sync()
        self.accept()

    def where(self) -> str:
        """The data the desk works on with the saved setting, in words."""
        return self.url.text().strip() or "this computer's own database"
