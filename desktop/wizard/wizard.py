"""The booking wizard: steps with an indicator, a live price beside them, and a seat hold.

Seats are held from the moment a session is chosen (``holds.create``), resized as attendees
are added, kept alive while the receptionist works and released on cancel or close. If the
seats go elsewhere first, the wizard says so at once and offers the next dates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.api import payments as payments_api
from core.api.params import NoParams
from core.api.results.payments import PaymentMethods, Reader
from core.booking.attendees import AgeLimit
from core.infra.errors import DomainError, HoldExpired, NotEnoughSeats, SessionNotBookable
from desktop.backend import RESEND, Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.session_data import SessionRow, session_change
from desktop.style_sheet import set_state
from desktop.tasks import ApiOp, BackendOp, plain_message
from desktop.wizard.attendees_step import AttendeesStep
from desktop.wizard.confirmation_step import ConfirmationStep
from desktop.wizard.employer_order import EmployerButton
from desktop.wizard.full_session import FullSessionButton
from desktop.wizard.hold import WARN_BELOW_S, HoldKeeper
from desktop.wizard.payment_methods import METHODS, offered_keys
from desktop.wizard.payment_step import PaymentStep
from desktop.wizard.pricing_panel import PricingPanel
from desktop.wizard.requalification import RequalificationCheck
from desktop.wizard.review_step import ReviewStep
from desktop.wizard.session_step import SessionStep

SESSION, ATTENDEES, REVIEW, PAYMENT, DONE = range(5)
RESIZE_DEBOUNCE_MS = 400
SEATS_LOST = (NotEnoughSeats, SessionNotBookable)


def _is(error: BaseException, kinds: tuple[type[DomainError], ...]) -> bool:
    """Domain errors by class or by code (the remote backend may rebuild them generically)."""
    codes = {k.code for k in kinds}
    return isinstance(error, kinds) or getattr(error, "code", None) in codes


class BookingWizard(QDialog):
    """Five steps from session to reference; ``booked`` fires with the booking JSON."""

    booked = Signal(dict)
    again = Signal()  # the done page's New booking (Alt+N)

    def __init__(
        self, backend: Backend, parent: QWidget | None = None, session: dict[str, Any] | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New booking")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.backend = backend
        self.catalogue = CatalogueCache.of(backend)
        self.session: SessionRow | None = None
        self.booking: dict[str, Any] | None = None
        self.hold = HoldKeeper(backend, self)
        self.requalification = RequalificationCheck(self)
        self.readers: list[Reader] = []

        self.session_step = SessionStep(backend)
        self.attendees_step = AttendeesStep()
        self.review_step = ReviewStep(backend)
        self.payment_step = PaymentStep()
        self.confirmation_step = ConfirmationStep(backend)
        self.confirmation_step.again.connect(self.again)
        self.confirmation_step.again.connect(self.reject)
        self.steps: list[Any] = [
            self.session_step,
            self.attendees_step,
            self.review_step,
            self.payment_step,
            self.confirmation_step,
        ]
        self.stack = QStackedWidget()
        for step in self.steps:
            self.stack.addWidget(step)
        self.indicator = [QLabel(f"{i + 1}. {s.title}") for i, s in enumerate(self.steps)]
        for label in self.indicator:
            label.setObjectName("wizardStep")
        self.hold_label = QLabel()
        self.hold_label.setObjectName("holdCountdown")
        self.hold_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.pricing = PricingPanel(backend)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_state(self.message, "error")
        self.back_button = QPushButton("< &Back")
        self.next_button = QPushButton("&Next >")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.reject)

        steps_row = QHBoxLayout()
        for label in self.indicator:
            steps_row.addWidget(label)
        steps_row.addStretch(1)
        steps_row.addWidget(self.hold_label)
        middle = QHBoxLayout()
        middle.addWidget(self.stack, 1)
        middle.addWidget(self.pricing)  # its own width: the sessions' venues get the rest
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(FullSessionButton(self))
        buttons.addWidget(EmployerButton(self))
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(steps_row)
        layout.addLayout(middle, 1)
        layout.addLayout(buttons)
        self._fit_screen(1180, 680)

        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_DEBOUNCE_MS)
        self._resize_timer.timeout.connect(self._resize_hold)
        self.session_step.chosen.connect(self._chosen)
        self.session_step.table.doubleClicked.connect(lambda _i: self.next())
        self.attendees_step.model.edited.connect(self._attendees_edited)
        self.attendees_step.model.rowsInserted.connect(lambda *_: self._resize_timer.start())
        self.attendees_step.model.rowsRemoved.connect(lambda *_: self._resize_timer.start())
        self.review_step.changed.connect(self._update_buttons)
        self.pricing.quoted.connect(self._show_quote)
        self.payment_step.group.buttonToggled.connect(lambda *_: self._update_buttons())
        self.hold.tick.connect(self._show_countdown)
        self.hold.changed.connect(lambda: self._show_countdown(self.hold.seconds_left()))
        self.hold.lost.connect(self._hold_lost)
        backend.changed.connect(self._on_change)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._busy = False
        self.go(SESSION)
        self.session_step.load(int(session["id"]) if session else None)
        self._offer_payment_methods()

    def _fit_screen(self, width: int, height: int) -> None:
        """Open at a comfortable size, but never bigger than the screen (200% scaling)."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            width = min(width, int(screen.width() * 0.95))
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # -- navigation -------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def go(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        for i, label in enumerate(self.indicator):
            state = "current" if i == index else "done" if i < index else "todo"
            label.setText(f"{'✓ ' if state == 'done' else ''}{i + 1}. {self.steps[i].title}")
            set_state(label, state)
        self.message.setText("")
        if index == ATTENDEES:
            self._enter_attendees()
        else:
            self._show_quote()
        self._update_buttons()

    def _show_quote(self) -> None:
        """Read the price back on the review and payment steps (again when a quote arrives)."""
        if self.step == REVIEW and self.session is not None:
            people = self.attendees_step.model.payload()
            self.review_step.show_booking(self.session, people, self.pricing.quote)
        elif self.step == PAYMENT:
            self.payment_step.set_total(self.pricing.quote.total_pence)

    def _update_buttons(self) -> None:
        step = self.step
        done = step == DONE
        self.back_button.setVisible(not done)
        self.back_button.setEnabled(step > SESSION and not self._busy)
        self.next_button.setVisible(not done)
        self.next_button.setText("&Confirm booking" if step == PAYMENT else "&Next >")
        ready = {
            SESSION: self.session is not None
            and (self.session.bookable or self.hold.session_id == self.session.id),
            ATTENDEES: self.attendees_step.model.rowCount() > 0,
            REVIEW: self.review_step.all_ticked(),
            PAYMENT: self.payment_step.chosen_key() is not None,
        }.get(step, False)
        self.next_button.setEnabled(ready and not self._busy)
        self.cancel_button.setText("&Close" if done else "Cancel")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.session_step.table.setEnabled(not busy)  # the choice stays put while it is held
        self._update_buttons()

    def back(self) -> None:
        if self.step > SESSION:
            self.go(self.step - 1)

    def next(self) -> None:
        if self._busy or not self.next_button.isEnabled():
            return
        if self.step == SESSION:
            self._leave_session()
        elif self.step == ATTENDEES:
            self._leave_attendees()
        elif self.step == REVIEW:
            self.go(PAYMENT)
        elif self.step == PAYMENT:
            self._take_payment()

    # -- step 1: session --------------------------------------------------------------
    def _chosen(self, session: SessionRow | None) -> None:
        """The person picked ``session``, or a live change refreshed it. Only the person moves
        the selection: while a hold is in flight the answer to it decides, not the change
        push its own seats cause."""
        self.session = session
        if session is not None and self.step == SESSION and not self._busy:
            needed = max(1, self.attendees_step.model.rowCount())
            held_here = self.hold.seats if self.hold.session_id == session.id else 0
            if session.free + held_here < needed:
                self.session_step.show_taken(
                    f"{session.label()} has no room for {needed} now "
                    f"({session.free} free) — someone else has just taken the seats.",
                    session,
                    needed,
                )
        self._show_price()
        self._update_buttons()

    def _leave_session(self) -> None:
        session = self.session
        assert session is not None
        self.session_step.clear_notice()
        seats = max(1, self.attendees_step.model.rowCount())
        self._set_busy(True)
        self.hold.hold_seats(
            session.id, seats, self._held_go_on, lambda e: self._hold_refused(e, session)
        )

    def _held_go_on(self) -> None:
        self._set_busy(False)
        self.go(ATTENDEES)

    def _hold_refused(self, error: BaseException, session: SessionRow | None = None) -> None:
        """Seats asked for on ``session`` (default: the chosen one) could not be held."""
        self._set_busy(False)
        session = session or self.session
        if session is not None and _is(error, SEATS_LOST):
            self.go(SESSION)
            seats = max(1, self.attendees_step.model.rowCount())
            self.session_step.show_taken(plain_message(error), session, seats)
        elif _is(error, (HoldExpired,)):
            self._hold_lost(plain_message(error))
        else:
            self.message.setText(plain_message(error))

    # -- step 2: attendees ------------------------------------------------------------
    def _enter_attendees(self) -> None:
        model = self.attendees_step.model
        session = self.session
        if session is not None:
            course = self.catalogue.course(session.course)
            if course is not None:
                model.set_course(AgeLimit(course.name, course.min_age, session.day))
        if model.rowCount() == 0:
            model.add_row()
        self.attendees_step.table.setFocus()

    def _attendees_edited(self) -> None:
        self._show_price()
        self._update_buttons()

    def _resize_hold(self) -> None:
        count = self.attendees_step.model.rowCount()
        if self.session is None or count == 0 or self.hold.hold is None:
            return
        self.hold.hold_seats(self.session.id, count, lambda: None, self._hold_refused_here)

    def _hold_refused_here(self, error: BaseException) -> None:
        """Adding attendees needed seats that are not there: say so on this step."""
        if _is(error, SEATS_LOST) and self.session is not None:
            others = self.session_step.alternatives(
                self.session, self.attendees_step.model.rowCount()
            )
            offer = (
                " Next dates with room: "
                + "; ".join(f"{s.when_text} at {s.venue_name}" for s in others)
                + " (go Back to pick one)."
                if others
                else ""
            )
            self.message.setText(plain_message(error) + offer)
        else:
            self._hold_refused(error)

    def _leave_attendees(self) -> None:
        model = self.attendees_step.model
        model.reveal()
        cell = model.first_problem_cell()
        if cell is not None:  # take the person to the cell and say what to type there
            self.attendees_step.table.setCurrentIndex(cell)
            self.attendees_step.table.scrollTo(cell)
            self.message.setText(model.first_problem() or "")
            return
        assert self.session is not None
        self._set_busy(True)
        self.hold.hold_seats(
            self.session.id, model.rowCount(), self._attendees_held, self._attendees_refused
        )

    def _attendees_held(self) -> None:
        self._set_busy(False)
        self.requalification.check_then(lambda: self.go(REVIEW))

    def _attendees_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self._hold_refused_here(error)

    # -- step 4: payment --------------------------------------------------------------
    def _offer_payment_methods(self) -> None:
        if not self.backend.has_method("payments.methods"):
            return
        ApiOp(self, self.backend, payments_api.payment_methods, NoParams()).success(
            self._payment_methods
        ).failure(lambda _e: None).run()

    def _payment_methods(self, result: PaymentMethods) -> None:
        keys = offered_keys(result)
        self.readers = list(result.readers)
        offered = [m for m in METHODS if m.offered(self.backend.has_method, keys)]
        self.payment_step.offer(offered, self.backend)

    def _take_payment(self) -> None:
        key = self.payment_step.chosen_key()
        method = next(m for m in METHODS if m.key == key)
        missing = method.missing(self.payment_step.values())
        if missing:
            self.message.setText(missing)
            return
        self._set_busy(True)
        self.payment_step.set_locked(True)
        self.payment_step.show_progress("Booking…", None)
        method.take(self)

    def create_booking(self, payment: str, then: Callable[[dict[str, Any]], None]) -> None:
        """``PaymentFlow``: turn the hold into a booking paid by ``payment``."""
        if self.hold.hold is None:
            self._payment_failed(HoldExpired("The held seats have been released."))
            return
        params = {
            **self.hold.owner(),
            "attendees": self.attendees_step.model.payload(),
            "payment": payment,
        } | self.requalification.params()

        def created(booking: dict[str, Any]) -> None:
            self.hold.booked()
            self.booking = booking
            then(booking)

        BackendOp(self, self.backend, "bookings.create", params).success(created).failure(
            self._payment_failed
        ).run()

    def api(self, method: str, params: dict[str, Any], then: Callable[[Any], None]) -> None:
        """``PaymentFlow``: call a payments method; failures leave the booking unpaid."""
        BackendOp(self, self.backend, method, params).success(then).failure(
            self._payment_failed
        ).run()

    def form_values(self) -> dict[str, str]:
        return self.payment_step.values()

    def progress(self, text: str, cancel: Callable[[], None] | None = None) -> None:
        self.payment_step.show_progress(text, cancel)

    def finish(self, booking: dict[str, Any], note: str) -> None:
        self._set_busy(False)
        outbox = self.backend.has_method(RESEND)
        self.confirmation_step.show_booking(booking, note, outbox)
        self.go(DONE)
        self.booked.emit(booking)

    def _payment_failed(self, error: BaseException) -> None:
        if self.booking is not None:
            self.finish(self.booking, f"Not paid yet: {plain_message(error)}")
            return
        self._set_busy(False)
        self.payment_step.set_locked(False)
        self.payment_step.show_progress("", None)
        if _is(error, (HoldExpired, *SEATS_LOST)):
            self._hold_refused(error)
        else:
            self.message.setText(plain_message(error))

    # -- hold, price and live changes -------------------------------------------------
    def _show_price(self) -> None:
        s = self.session
        count = max(1, self.attendees_step.model.rowCount()) if s else 0
        text = f"{s.course_name}\n{s.venue_name}, {s.when_text}" if s else ""
        self.pricing.ask(s.id if s else None, text, count, s.free if s else None)

    def _show_countdown(self, left: int) -> None:
        if self.hold.hold is None:
            self.hold_label.setText("")
            return
        seats = self.hold.seats
        minutes, seconds = divmod(left, 60)
        text = f"Holding {seats} seat{'s' if seats != 1 else ''} · {minutes}:{seconds:02d} left"
        if left < WARN_BELOW_S:
            text += " (carry on to keep them)"
        set_state(self.hold_label, "warning" if left < WARN_BELOW_S else "")
        self.hold_label.setText(text)

    def _hold_lost(self, message: str) -> None:
        if self.step in (DONE,):
            return
        self._set_busy(False)
        self.payment_step.set_locked(False)
        self.go(SESSION)
        self.message.setText(message)

    def _on_change(self, message: dict[str, Any]) -> None:
        session = session_change(message)
        if session is not None:
            self.session_step.update_session(session)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress) and (
            isinstance(watched, QWidget) and watched.window() is self
        ):
            self.hold.keep_alive()
        return False

    def confirm_stop(self) -> bool:
        answer = QMessageBox.question(
            self,
            "Stop this booking?",
            "The held seats will go back on sale and what you typed is lost.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def done(self, result: int) -> None:
        """Closing the wizard any way gives held seats back."""
        if self.hold.hold is not None and SESSION < self.step < DONE and not self.confirm_stop():
            return
        self.hold.release()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.backend.changed.disconnect(self._on_change)
        super().done(result)
