"""The audit trail: every service that changes data records one event through here."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from .actors import Actor
from .inserts import rows_insert
from .models import AuditEvent, Municipality


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    municipality: Municipality | None = None,
    changes: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail."""
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        via=actor.via,
        ip=actor.ip or "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        municipality=municipality,
        changes=_jsonable(changes or {}),
    )


def audit_record_many(
    *, actor: Actor, action: str, targets: list[tuple[models.Model, dict | None]], municipality: Municipality | None
) -> int:
    """Append one event per (target, changes) in one statement (a bulk writer's batch); returns how
    many. The rows are written without building model instances (``rows_insert``), all with the
    same ``created_at``."""
    user_id = actor.user.pk if actor.user is not None else None
    municipality_id = municipality.pk if municipality is not None else None
    now = timezone.now()
    return rows_insert(
        AuditEvent,
        _MANY_COLUMNS,
        [
            (
                now,
                user_id,
                actor.label,
                actor.via,
                actor.ip or "",
                action,
                target._meta.label_lower,
                str(target.pk),
                str(target)[:300],
                municipality_id,
                _jsonable(changes or {}),
            )
            for target, changes in targets
        ],
    )


_MANY_COLUMNS = [
    "created_at",
    "actor_id",
    "actor_label",
    "via",
    "ip",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "municipality_id",
    "changes",
]


def diff_fields(instance: models.Model, new_values: dict[str, Any]) -> dict[str, list]:
    """Return {field: [old, new]} for the values that would change."""
    changed = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if old != new:
            changed[name] = [_jsonable(old), _jsonable(new)]
    return changed
