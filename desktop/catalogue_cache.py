"""Courses and venues, fetched once per backend with ``catalogue.get`` and shared by screens."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core.api import catalogue
from core.api.params import NoParams
from core.api.results.sessions import Catalogue, CatalogueCourse, CatalogueVenue
from desktop.backend import Backend
from desktop.tasks import ApiOp


class CatalogueCache(QObject):
    """The catalogue for one backend; ``loaded`` fires when it (re)arrives."""

    loaded = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self.backend = backend
        self.courses: list[CatalogueCourse] = []
        self.venues: list[CatalogueVenue] = []
        self._loading = False

    @classmethod
    def of(cls, backend: Backend) -> CatalogueCache:
        found = backend.findChild(CatalogueCache)
        return found if isinstance(found, CatalogueCache) else cls(backend)

    @property
    def ready(self) -> bool:
        return bool(self.courses)

    def load(self, requester: QObject) -> None:
        """Fetch unless already here or on its way; ``loaded`` fires either way."""
        if self.ready:
            self.loaded.emit()
            return
        if self._loading:
            return
        self._loading = True
        ApiOp(requester, self.backend, catalogue.get, NoParams()).success(self._arrived).failure(
            lambda _e: setattr(self, "_loading", False)
        ).run()

    def _arrived(self, result: Catalogue) -> None:
        self._loading = False
        self.courses = sorted(result.courses, key=lambda c: c.name)
        self.venues = sorted(result.venues, key=lambda v: v.name)
        self.loaded.emit()

    def course(self, course_id: str) -> CatalogueCourse | None:
        return next((c for c in self.courses if c.id == course_id), None)
