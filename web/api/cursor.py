"""The alert list's ``after`` cursor: where the next page starts (``store.alert_keyset``),
opaque to clients — the sort it belongs to, the sort column's value and the alert id of
the last row, as URL-safe base64 of a small JSON array."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields

from aml_screen.store.alert_keyset import KEY_ORDERS, AlertKey
from aml_screen.store.ids import MAX_ID

AlertCursor = tuple[str, AlertKey]
"""(sort, key)."""


def encode_cursor(sort: str, key: AlertKey) -> str:
    value, alert_id = key
    shown = value.isoformat() if isinstance(value, datetime) else value
    text = json.dumps([sort, shown, alert_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(text: str) -> AlertCursor:
    """The sort and key ``text`` encodes; ``ValueError`` when it is not a cursor."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        sort, value, alert_id = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, TypeError,
            ValueError) as exc:
        raise ValueError(text) from exc
    if sort not in KEY_ORDERS or not isinstance(alert_id, int) or not 1 <= alert_id <= MAX_ID:
        raise ValueError(text)
    column = KEY_ORDERS[sort].column.key
    if column == "created_at" and isinstance(value, str):
        stamp = datetime.fromisoformat(value)
        if stamp.tzinfo is None:
            raise ValueError(text)
        return sort, (stamp, alert_id)
    if column == "risk_score" and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return sort, (float(value), alert_id)
    if column == "subject_name" and isinstance(value, str):
        return sort, (value, alert_id)
    raise ValueError(text)


class CursorField(fields.Field[AlertCursor]):
    """A cursor in a query string, read into ``AlertCursor``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> AlertCursor:
        if not isinstance(value, str):
            raise ValidationError("Not a cursor this API gave.")
        text = value
        try:
            return decode_cursor(text)
        except ValueError:
            raise ValidationError("Not a cursor this API gave.") from None
