"""REST endpoints to follow a background job's progress."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from . import selectors

router = Router(tags=["tareas"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: int | None
    message: str
    error: str
    result: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/jobs/{job_id}", response=JobOut, summary="Ver el estado de una tarea", url_name="job_detail")
def job_detail(request, job_id: int):
    return selectors.job_get_visible(actor=request.auth, job_id=job_id)
