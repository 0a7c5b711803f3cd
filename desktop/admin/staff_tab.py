"""The Staff tab (admin): accounts with their role and second factor; add, change role,
disable, reset a password or an authenticator."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from core.infra.clock import to_london
from core.staff.accounts import MFA_ROLES
from core.staff.roles import ADMIN, ROLES
from core.staff.sign_in_limits import MIN_PASSWORD_LENGTH
from desktop.admin.form_dialog import FormDialog
from desktop.admin.record_table import (
    Column,
    RecordTableModel,
    lay_out_with_actions,
    record_view,
    selected_row,
)
from desktop.admin.roles import load, may_use
from desktop.backend import Backend
from desktop.tasks import BackendOp, plain_message


def _needs_mfa(user: dict[str, Any]) -> bool:
    return not user["mfa_enrolled"] and (user["mfa_required"] or user["role"] in MFA_ROLES)


def _status(user: dict[str, Any]) -> str:
    if not user["active"]:
        return "disabled"
    if user.get("locked_until"):
        until = to_london(datetime.fromisoformat(user["locked_until"]))
        return f"locked until {until:%H:%M} (wrong passwords)"
    return "active"


SECOND_FACTOR: Column = ("Second factor", lambda u: _second_factor(u))
COLUMNS = [
    ("Name", lambda u: u["name"]),
    ("Email", lambda u: u["email"]),
    ("Role", lambda u: u["role"]),
    ("Status", lambda u: _status(u)),
    SECOND_FACTOR,
]


def _second_factor(user: dict[str, Any]) -> str:
    if user["mfa_enrolled"]:
        return "set up"
    return "not set up (needed)" if _needs_mfa(user) else "not set up"


def _mfa_warning(user: dict[str, Any]) -> str:
    """Why the row carries a warning icon: an account that should have a second factor."""
    if not _needs_mfa(user):
        return ""
    why = "their role" if user["role"] in MFA_ROLES else "an administrator"
    return (
        f"{user['name']} has no second factor yet, though {why} requires one: they will be "
        "asked to set up an authenticator app at their next sign-in."
    )


class StaffTab(QWidget):
    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.model = RecordTableModel(
            COLUMNS,
            flag=lambda u: _status(u) != "active",
            parent=self,
            warn=_mfa_warning,
            warn_column=COLUMNS.index(SECOND_FACTOR),
        )
        self.table = record_view(self.model, self, stretch=1)  # the email, not "not set up"
        lay_out_with_actions(
            self,
            self.table,
            (
                ("Add staff…", self.add),
                ("Change role…", self.change_role),
                ("Disable", self.disable),
                ("Reset password…", self.reset_password),
                ("Reset second factor", self.reset_mfa),
            ),
        )
        backend.role_changed.connect(lambda _role: self.reload())
        self.reload()

    def reload(self) -> None:
        if not may_use(self.backend, ADMIN):
            return
        load(self, self.backend, "staff.list", None, self.model.set_rows)

    def _show_uri(self, result: dict[str, Any]) -> None:
        self.reload()
        if result.get("otpauth_uri"):
            QMessageBox.information(
                self,
                "Second factor",
                "Admins and managers sign in with an authenticator code. Add this account to "
                f"the authenticator app now (shown once):\n\n{result['otpauth_uri']}",
            )

    def _run(self, method: str, params: dict[str, Any]) -> None:
        BackendOp(self, self.backend, method, params).success(self._show_uri).failure(
            self._warn
        ).run()

    def add(self) -> None:
        email, name, password = QLineEdit(), QLineEdit(), QLineEdit()
        password.setEchoMode(QLineEdit.EchoMode.Password)
        role = QComboBox()
        role.addItems(ROLES)
        role.setCurrentText("reception")
        FormDialog(
            self,
            "Add staff",
            [("Email", email), ("Name", name), ("Role", role), ("First password", password)],
            self.backend,
            "staff.add",
            lambda: {
                "email": email.text(),
                "name": name.text(),
                "role": role.currentText(),
                "password": password.text(),
            },
            self._show_uri,
        ).open()

    def change_role(self) -> None:
        user = selected_row(self.table, self.model)
        if user is None:
            return
        role, ok = QInputDialog.getItem(
            self,
            "Change role",
            f"New role for {user['name']}",
            list(ROLES),
            list(ROLES).index(user["role"]),
            False,
        )
        if ok:
            self._run("staff.set_role", {"email": user["email"], "role": role})

    def disable(self) -> None:
        user = selected_row(self.table, self.model)
        if user is not None:
            self._run("staff.disable", {"email": user["email"]})

    def reset_password(self) -> None:
        user = selected_row(self.table, self.model)
        if user is None:
            return
        password, ok = QInputDialog.getText(
            self,
            "Reset password",
            f"New password for {user['name']} ({MIN_PASSWORD_LENGTH}+ characters)",
            QLineEdit.EchoMode.Password,
        )
        if ok and password:
            self._run("staff.reset_password", {"email": user["email"], "password": password})

    def reset_mfa(self) -> None:
        user = selected_row(self.table, self.model)
        if user is not None:
            self._run("staff.reset_mfa", {"email": user["email"]})

    def _warn(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Not done", plain_message(error))
