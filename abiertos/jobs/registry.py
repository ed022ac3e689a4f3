"""The explicit list of job kinds. Apps register their handlers in ``AppConfig.ready()``.

A handler is ``def handler(*, job: Job, progress: Progress) -> dict | None``; what it returns is
stored as the job's result.
"""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def job_kind_register(kind: str, handler: Callable) -> None:
    if kind in HANDLERS and HANDLERS[kind] is not handler:
        raise RuntimeError(f"job kind {kind!r} registered twice")
    HANDLERS[kind] = handler


def job_kind_handler(kind: str) -> Callable | None:
    return HANDLERS.get(kind)
