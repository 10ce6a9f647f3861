"""What to export: the row kind and the filters, checked once so that the CLI and the web
refuse the same bad values with the same message."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from aml_screen.errors import InputError
from aml_screen.store.ids import parse_id
from aml_screen.store.models import ALERT_STATUSES, DISPOSITIONS

KINDS = ("hits", "alerts")
FORMATS = ("csv", "xlsx", "pdf")


@dataclass(frozen=True)
class ExportFilter:
    """Every field narrows the export; None keeps everything. The date range is the day the
    alert was raised (UTC), both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    batch_id: int | None = None
    list_id: str | None = None
    rule_id: str | None = None
    typology: str | None = None
    status: str | None = None
    disposition: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The filters set, as JSON-ready values (for the audit trail and the headers)."""
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in asdict(self).items() if value is not None}


def parse_day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("exports.bad_date", option=option, value=text) from None


def parse_batch(text: str | None) -> int | None:
    if not text:
        return None
    found = parse_id(text.strip())
    if found is None:
        raise InputError("exports.bad_batch", value=text)
    return found


def _choice(text: str | None, option: str, allowed: tuple[str, ...]) -> str | None:
    if not text:
        return None
    if text not in allowed:
        raise InputError("exports.bad_choice", option=option, value=text,
                         allowed=", ".join(allowed))
    return text


def _text(text: str | None) -> str | None:
    return text.strip() or None if text else None


def make_filter(*, date_from: str | None = None, date_to: str | None = None,
                batch: str | None = None, list_id: str | None = None,
                rule_id: str | None = None, typology: str | None = None,
                status: str | None = None, disposition: str | None = None) -> ExportFilter:
    """The filter from user text; raises ``InputError`` naming the bad value."""
    start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
    if start is not None and end is not None and end < start:
        raise InputError("exports.bad_range", start=start, end=end)
    return ExportFilter(
        date_from=start, date_to=end, batch_id=parse_batch(batch),
        list_id=_text(list_id), rule_id=_text(rule_id), typology=_text(typology),
        status=_choice(status, "status", ALERT_STATUSES),
        disposition=_choice(disposition, "disposition", DISPOSITIONS),
    )


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError("exports.bad_choice", option="kind", value=kind,
                         allowed=", ".join(KINDS))
    return kind


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError("exports.bad_choice", option="format", value=fmt,
                         allowed=", ".join(FORMATS))
    return fmt
