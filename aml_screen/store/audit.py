"""Writing the audit trail. Every state change and every view of a subject goes through
``record`` inside the same transaction as the change, so the trail cannot miss one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper, Session

from aml_screen.store.errors import StoreError
from aml_screen.store.models import AuditEvent, User

SYSTEM_ACTOR = "system"


def record(session: Session, actor: User | None, action: str, object_type: str,
           object_id: object, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event; ``actor`` None means the system itself (CLI, background job)."""
    entry = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else SYSTEM_ACTOR,
        action=action, object_type=object_type, object_id=str(object_id),
        before=before, after=after,
    )
    session.add(entry)
    return entry


def _refuse_change(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise StoreError("store.audit_append_only", event_id=target.id)


event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)
