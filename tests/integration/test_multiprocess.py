"""Scale-out, tested for real: two gunicorn web processes and two Huey workers over one
PostgreSQL database and one Redis, the way docs/deployment.md describes production.

Runs only when DATABASE_URL points at PostgreSQL and REDIS_URL is set (CI's PostgreSQL stage).
The processes are started against pytest's own test database, so they see what the test writes.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.db import connection
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY

from abiertos.accounts.models import Membership, Role, User
from abiertos.accounts.services import api_token_create
from abiertos.core.actors import Actor
from abiertos.jobs.builtin import diagnostic_job_enqueue
from abiertos.jobs.models import Job, JobStatus
from abiertos.jobs.runner import job_reap_stale

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "una-clave-larga-de-prueba-123"
EMAIL = "operaciones@example.org"

pytestmark = pytest.mark.skipif(
    not (
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and os.environ.get("REDIS_URL")
    ),
    reason="needs DATABASE_URL=postgres://… and REDIS_URL (several processes cannot share SQLite and a local queue)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check: Callable[[], object], *, timeout: float, what: str, logs: Callable[[], str]) -> object:
    """Call check until it returns something truthy; fail with the processes' logs after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{logs()}")


class Cluster:
    """Web and worker subprocesses sharing the test database, with their logs in tmp files."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path = tmp_path
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def web(self, name: str, port: int) -> subprocess.Popen:
        bind = f"127.0.0.1:{port}"
        # No control socket: two masters would fight over the one in $HOME.
        args = ["-m", "gunicorn", "config.wsgi:application", "--bind", bind, "--workers", "1", "--no-control-socket"]
        return self.start(name, args)

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(name, ["manage.py", "run_huey", "--workers", "1"])

    def logs(self) -> str:
        parts = []
        for name, proc in self.procs.items():
            text = (self.tmp_path / f"{name}.log").read_text(errors="replace")
            parts.append(f"--- {name} (pid {proc.pid}, exit {proc.poll()}) ---\n{text[-3000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@contextlib.contextmanager
def huey_queue(name: str):
    """Send this process's tasks to a queue of its own in Redis (and not run them inline)."""
    old_name, old_immediate = HUEY.name, HUEY.immediate
    HUEY.immediate = True  # switching immediate off again rebuilds the storage under the new name
    HUEY.name = name
    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = True
        HUEY.name = old_name
        HUEY.immediate = old_immediate


def _live_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@pytest.fixture
def cluster(transactional_db, django_db_serialized_rollback, tmp_path, settings):
    # Committed data is flushed afterwards; the serialized rollback puts back the rows that
    # migrations create (themes, licences…), which the tests after this one rely on.
    settings.JOB_STALE_SECONDS = 3
    queue = f"test-multiprocess-{uuid.uuid4().hex[:8]}"
    env = {key: value for key, value in os.environ.items() if key != "HUEY_IMMEDIATE"}
    env.update(
        DATABASE_URL=_live_database_url(),
        HUEY_NAME=queue,
        JOB_STALE_SECONDS="3",
        PYTHONUNBUFFERED="1",
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="one-secret-shared-by-every-process-" + queue,
    )
    (tmp_path / "var").mkdir()
    running = Cluster(tmp_path, env)
    with huey_queue(queue), translation.override("es-ar"):
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
def operator(transactional_db):
    user = User.objects.create_user(email=EMAIL, password=PASSWORD, email_confirmed_at=timezone.now())
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN)
    return user


def _session_cookie(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as client:
        client.get("/cuentas/ingresar/")
        response = client.post(
            "/cuentas/ingresar/",
            data={"email": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
            headers={"Referer": base + "/cuentas/ingresar/"},
        )
        assert response.status_code == 302, response.text[:500]
        return response.cookies["sessionid"]


def _job_via_api(base: str, secret: str, job_id: int) -> dict:
    response = httpx.get(f"{base}/api/v1/jobs/{job_id}", headers={"Authorization": f"Token {secret}"}, timeout=10)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def _worker_pid(job: Job) -> int:
    match = re.match(r"^[^:]+:(\d+):", job.worker)
    assert match, f"unexpected worker name {job.worker!r}"
    return int(match.group(1))


def test_web_and_worker_processes_scale_out_and_survive_a_killed_worker(cluster, operator):
    ports = [_free_port(), _free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    for i, port in enumerate(ports):
        cluster.web(f"web{i}", port)
    workers = [cluster.worker("worker0"), cluster.worker("worker1")]
    by = Actor.for_user(operator)
    _token, secret = api_token_create(user=operator, name="multiproceso", scopes=["read"], by=by)

    def answers(base: str) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(base + "/", timeout=2).status_code == 200
        return False

    for base in bases:
        _wait_for(lambda base=base: answers(base), timeout=30, what=f"{base} to answer", logs=cluster.logs)

    # Stateless web: a token and a session created through one process work on the other.
    for base in bases:
        me = httpx.get(base + "/api/v1/me", headers={"Authorization": f"Token {secret}"}, timeout=10).json()
        assert me["email"] == EMAIL
    session = _session_cookie(bases[0])
    me = httpx.get(bases[1] + "/api/v1/me", cookies={"sessionid": session}, timeout=10).json()
    assert me["email"] == EMAIL
    assert me["memberships"] == [{"role": "provincial_admin", "municipality": None}]

    # A job enqueued here is run by one of the workers and followed through the REST API.
    job = diagnostic_job_enqueue(by=by, steps=3, step_seconds=0.05)
    done = _wait_for(
        lambda: (body := _job_via_api(bases[0], secret, job.pk))["status"] == "succeeded" and body,
        timeout=30,
        what="the first diagnostic job to finish",
        logs=cluster.logs,
    )
    assert (done["progress_done"], done["progress_total"], done["message"]) == (3, 3, "Paso 3 de 3")
    assert done["result"]["database"] == "postgresql"
    assert done["result"]["cache_ok"] is True
    assert done["result"]["pid"] in {w.pid for w in workers}

    # Kill -9 the worker in the middle of a long job: the reaper marks the job failed.
    long_job = diagnostic_job_enqueue(by=by, steps=600, step_seconds=0.1)
    running = _wait_for(
        lambda: (j := Job.objects.get(pk=long_job.pk)).status == JobStatus.RUNNING and j.progress_done >= 3 and j,
        timeout=30,
        what="the long job to be running",
        logs=cluster.logs,
    )
    victim = next(w for w in workers if w.pid == _worker_pid(running))
    survivor = next(w for w in workers if w is not victim)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)

    def reaped() -> bool:
        job_reap_stale()
        return Job.objects.get(pk=long_job.pk).status == JobStatus.FAILED

    _wait_for(reaped, timeout=20, what="the reaper to fail the orphaned job", logs=cluster.logs)
    failed = _job_via_api(bases[1], secret, long_job.pk)
    assert "dejó de responder" in failed["error"]
    assert 3 <= failed["progress_done"] < 600

    # The surviving worker still takes new work.
    fresh = diagnostic_job_enqueue(by=by, steps=2, step_seconds=0)
    finished = _wait_for(
        lambda: (j := Job.objects.get(pk=fresh.pk)).is_finished and j,
        timeout=30,
        what="a fresh job on the surviving worker",
        logs=cluster.logs,
    )
    assert finished.status == JobStatus.SUCCEEDED, finished.error
    assert finished.result["pid"] == survivor.pid
    assert survivor.poll() is None
