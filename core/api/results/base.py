"""The base of every result model, and the field types the wire format needs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

Instant = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]
"""A moment as the API sends it: ISO 8601 with its offset (``+00:00``, never ``Z``)."""

JsonObject = dict[str, JsonValue]
"""An object whose keys vary (a record's before/after, a report row)."""


class Result(BaseModel):
    """A method's answer. Keys a newer server adds are ignored, so an older desk still reads
    it; a field with a default is one the answer sometimes leaves out, and is left out of
    ``model_dump`` again unless it was there."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_serializer(mode="wrap")
    def _as_sent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        fields = type(self).model_fields
        return {
            key: value
            for key, value in data.items()
            if key in self.model_fields_set or fields[key].is_required()
        }
