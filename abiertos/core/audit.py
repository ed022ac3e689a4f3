"""The audit trail: every service that changes data records one event through here."""

from __future__ import annotations

from typing import Any

from django.db import models

from .actors import Actor
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
) -> list[AuditEvent]:
    """Append one event per (target, changes) in one statement (a bulk writer's batch)."""
    events = [
        AuditEvent(
            actor=actor.user,
            actor_label=actor.label,
            via=actor.via,
            ip=actor.ip or "",
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_repr=str(target)[:300],
            municipality=municipality,
            changes=_jsonable(changes or {}),
        )
        for target, changes in targets
    ]
    return AuditEvent.objects.bulk_create(events, batch_size=500)


def diff_fields(instance: models.Model, new_values: dict[str, Any]) -> dict[str, list]:
    """Return {field: [old, new]} for the values that would change."""
    changed = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if old != new:
            changed[name] = [_jsonable(old), _jsonable(new)]
    return changed
