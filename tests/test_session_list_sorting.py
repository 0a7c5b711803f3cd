"""The desk's session list sorts and filters in its model: a receptionist's selection stays
on the same session through a re-sort and a filter, a filtered list sorts within the filter,
and a live change that makes a session match (or stop matching) the search shows (or hides)
it without a reload."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from desktop import layouts
from desktop.session_data import SessionRow
from desktop.session_list import ROW_ROLE, SessionFilterProxy, SessionTableModel
from tests.test_desktop_views import fake_sessions

FREE_SEATS = 5


def table(qtbot: QtBot, count: int) -> tuple[SessionTableModel, SessionFilterProxy, QTableView]:
    model = SessionTableModel()
    model.set_sessions([SessionRow.from_json(s) for s in fake_sessions(count)])
    proxy = SessionFilterProxy()
    proxy.setSourceModel(model)
    view = layouts.row_table(proxy, sortable=True)
    qtbot.addWidget(view)
    return model, proxy, view


def selected_id(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows()
    return view.model().data(rows[0], ROW_ROLE).id if rows else None


def shown(proxy: SessionFilterProxy) -> list[int]:
    return [proxy.data(proxy.index(r, 0), ROW_ROLE).id for r in range(proxy.rowCount())]


def test_the_selection_follows_its_session_through_sorting_and_filtering(qtbot: QtBot) -> None:
    model, proxy, view = table(qtbot, 60)
    view.selectRow(7)
    chosen = selected_id(view)
    assert chosen == 8

    view.sortByColumn(FREE_SEATS, Qt.SortOrder.DescendingOrder)
    assert selected_id(view) == chosen
    assert view.currentIndex().row() == shown(proxy).index(chosen)

    proxy.set_filters("faw", None, "")  # session 8 is a First Aid at Work one: still shown
    assert selected_id(view) == chosen
    proxy.set_filters("efaw", None, "")  # now it is not
    assert selected_id(view) is None
    assert model.total == 60 and proxy.rowCount() == 30


def test_a_filtered_list_sorts_within_its_filter(qtbot: QtBot) -> None:
    model, proxy, view = table(qtbot, 200)
    proxy.set_filters(None, "york", "dev")
    expected = {s["id"] for s in fake_sessions(200) if s["venue"] == "york" and s["id"] % 5 == 1}
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        view.sortByColumn(FREE_SEATS, order)
        ids = shown(proxy)
        assert set(ids) == expected
        free = [model.rows[r].free for r in range(len(ids))]
        assert free == sorted(free, reverse=order == Qt.SortOrder.DescendingOrder)
    proxy.set_filters(None, None, "")
    assert proxy.rowCount() == 200
    free = [model.rows[r].free for r in range(200)]
    assert free == sorted(free)  # the whole list is in the chosen order too


def test_a_live_change_shows_or_hides_a_session_by_the_search(qtbot: QtBot) -> None:
    model, proxy, _view = table(qtbot, 30)
    proxy.set_filters(None, None, "dev")
    before = shown(proxy)
    session = next(s for s in fake_sessions(30) if s["id"] not in before)
    assert model.update_session(SessionRow.from_json(session | {"trainer": "Dev Mistry"}))
    assert session["id"] in shown(proxy) and len(shown(proxy)) == len(before) + 1
    assert model.update_session(SessionRow.from_json(session | {"trainer": "Sarah Holt"}))
    assert shown(proxy) == before
    assert not model.update_session(
        SessionRow.from_json(session | {"id": 999})
    )  # not loaded: the caller adds it
