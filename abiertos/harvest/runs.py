"""One harvest run: gather → fetch → import → withdraw, each stage recording its own findings.

Datasets are written through the catalog's import and services as the system actor (harvested
datasets are read-only to people), one dataset per transaction, so one bad dataset fails alone.
Unchanged datasets (same content hash) are skipped before any catalog work. A run that would
withdraw more than the source's threshold stops before touching anything and asks for
confirmation. A dry run does everything but write, and keeps the plan for the preview page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.catalog import services as catalog_services
from abiertos.catalog.imports import ImportReport, import_apply, import_plan
from abiertos.catalog.models import Dataset
from abiertos.catalog.search_index import search_index_deferred
from abiertos.catalog.services.bulk import datasets_delete_bulk
from abiertos.catalog.services.harvested import dataset_mark_harvested
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.inserts import objects_insert

from .checks import harvest_run_validate
from .digests import harvest_digest_send
from .fetch import Fetcher, FetchError, FetchPolicy
from .importing import BULK_CHUNK, Chunk, Record, chunk_import, records_of
from .models import HarvestCheck, HarvestMessage, HarvestRecord, HarvestRun, MessageLevel, RunStatus, SourceKind, Stage
from .readers import Gathered, RemoteDataset, source_gather

PATH_INDEX_RE = re.compile(r"^dataset\[(\d+)\]\.?(.*)$")
MAX_MESSAGES = 5000
MAX_PLAN = 2000
SYSTEM = Actor.system("harvest")


@dataclass
class _Ctx:
    run: HarvestRun
    progress: object = None
    messages: list[HarvestMessage] = field(default_factory=list)
    plan: list[dict] = field(default_factory=list)
    checks: list[HarvestCheck] = field(default_factory=list)
    errors: int = 0
    # remote id → the dataset as the bulk import wrote it (the validation stage judges it from memory)
    written: dict[str, object] = field(default_factory=dict)

    def log(self, level: str, stage: str, remote_id: str, message: str) -> None:
        if level == MessageLevel.ERROR:
            self.errors += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(
                HarvestMessage(run=self.run, level=level, stage=stage, remote_id=remote_id[:300], message=message)
            )

    def planned(self, remote: RemoteDataset, action: str, changes: list[str] | None = None) -> None:
        if len(self.plan) < MAX_PLAN:
            self.plan.append(
                {
                    "remote_id": remote.remote_id,
                    "identifier": remote.identifier,
                    "title": str(remote.entry.get("title") or "")[:200],
                    "action": action,
                    "changes": (changes or [])[:20],
                }
            )

    def tick(self, done: int, total: int, message: str) -> None:
        if self.progress:
            self.progress(done, total, message)


def _stage(ctx: _Ctx, stage: str) -> None:
    ctx.run.stage = stage
    HarvestRun.objects.filter(pk=ctx.run.pk).update(stage=stage)


def _changed_and_unchanged(gathered: Gathered, records: dict[str, Record]) -> tuple[list[RemoteDataset], list[str]]:
    changed, unchanged = [], []
    for remote in gathered.datasets:
        record = records.get(remote.remote_id)
        same = record is not None and record.content_hash == remote.content_hash and record.dataset_id
        if same and record.withdrawn_at is None:
            unchanged.append(remote.remote_id)
        else:
            changed.append(remote)
    return changed, unchanged


def _present_ids(gathered: Gathered, records: dict[str, Record]) -> set[str]:
    present = {d.remote_id for d in gathered.datasets}
    if gathered.present_identifiers is not None:
        present |= {r.remote_id for r in records.values() if r.identifier in gathered.present_identifiers}
    return present


def _issue_target(path: str, changed: list[RemoteDataset]) -> tuple[int | None, str]:
    match = PATH_INDEX_RE.match(path or "")
    if not match:
        return None, path
    return int(match.group(1)), match.group(2)


def _plan(ctx: _Ctx, changed: list[RemoteDataset]) -> ImportReport:
    municipality = ctx.run.source.municipality
    report = ImportReport(source=ctx.run.source.url, dry_run=True)
    import_plan(municipality=municipality, catalog={"dataset": [r.entry for r in changed]}, xlsx=None, report=report)
    for issue in report.issues:
        index, where = _issue_target(issue.path, changed)
        remote_id = changed[index].remote_id if index is not None and index < len(changed) else ""
        text = f"{where}: {issue.message}" if where else issue.message
        ctx.log(MessageLevel.ERROR if issue.level == "error" else MessageLevel.WARNING, Stage.IMPORT, remote_id, text)
    return report


def _owner_conflict(remote: RemoteDataset, record: Record | None, existing: dict[str, int]) -> bool:
    dataset_id = existing.get(remote.identifier)
    return dataset_id is not None and (record is None or record.dataset_id != dataset_id)


def _drop_removed_distributions(dataset: Dataset, planned) -> None:
    """Resources gone at the source are soft-deleted here too (after the new ones were added)."""
    wanted = {d.metadata.identifier for d in planned.incoming.distributions}
    for distribution in dataset.distributions.filter(deleted_at__isnull=True):
        if wanted and distribution.identifier not in wanted:
            catalog_services.distribution_delete(distribution=distribution, by=SYSTEM)


def _apply(ctx: _Ctx, planned, remote: RemoteDataset, record: Record | None) -> Dataset | None:
    """Write one dataset; None (with its messages logged) if it failed."""
    municipality = ctx.run.source.municipality
    single = ImportReport(source=remote.remote_id, dry_run=False, datasets=[planned])
    try:
        with transaction.atomic():
            import_apply(municipality=municipality, report=single, by=SYSTEM, publish=True, skip_invalid=True)
            if planned.action == "invalid":
                for issue in single.issues:
                    ctx.log(MessageLevel.ERROR, Stage.IMPORT, remote.remote_id, issue.message)
                return None
            dataset = Dataset.objects.get(municipality=municipality, identifier=planned.identifier)
            dataset_mark_harvested(dataset=dataset, origin_url=remote.origin_url, remote_id=remote.remote_id, by=SYSTEM)
            _drop_removed_distributions(dataset, planned)
            # In the same transaction: the datastore's opt-in check reads the record when it commits.
            _record_save(ctx, remote, record, dataset)
            return dataset
    except Exception as exc:  # noqa: BLE001 (one dataset failing must not stop the others)
        message = getattr(exc, "message", "") or f"{type(exc).__name__}: {exc}"
        ctx.log(MessageLevel.ERROR, Stage.IMPORT, remote.remote_id, _("No se pudo guardar: %(e)s") % {"e": message})
        return None


def _record_save(ctx: _Ctx, remote: RemoteDataset, record: Record | None, dataset: Dataset | None) -> None:
    now = timezone.now()
    values = {
        "identifier": remote.identifier,
        "dataset_id": dataset.pk if dataset is not None else (record.dataset_id if record else None),
        # A failed dataset keeps no hash, so the next run tries it again and reports it again.
        "content_hash": remote.content_hash if dataset is not None else "",
        "remote_modified": remote.remote_modified,
        "origin_url": remote.origin_url[:1000],
        "last_seen_run": ctx.run,
        "last_seen_at": now,
    }
    HarvestRecord.objects.update_or_create(source=ctx.run.source, remote_id=remote.remote_id, defaults=values)


def _come_back(ctx: _Ctx, record: Record | None) -> None:
    """A withdrawn dataset is at the source again: restore it (and show it, if it was hidden)."""
    if record is None or record.withdrawn_at is None:
        return
    ctx.run.restored += 1
    if ctx.run.dry_run:
        return
    if record.hidden_at and record.dataset_id:
        catalog_services.dataset_restore(dataset=Dataset.objects.get(pk=record.dataset_id), by=SYSTEM)
    HarvestRecord.objects.filter(pk=record.pk).update(withdrawn_at=None, hidden_at=None)
    record.withdrawn_at = record.hidden_at = None


def _count(run: HarvestRun, action: str) -> None:
    counter = {"create": "created", "update": "updated"}.get(action, "unchanged")
    setattr(run, counter, getattr(run, counter) + 1)


def _import_one(ctx: _Ctx, planned, remote: RemoteDataset, record: Record | None, conflict: bool) -> None:
    run = ctx.run
    if conflict:
        message = _("Ya hay en el catálogo un conjunto «%(id)s» que no viene de esta fuente: no se pisa.")
        ctx.log(MessageLevel.ERROR, Stage.IMPORT, remote.remote_id, message % {"id": remote.identifier})
        planned.action = "invalid"
    if planned.action == "invalid":
        run.failed += 1
        ctx.planned(remote, "failed")
        if not run.dry_run:
            _record_save(ctx, remote, record, None)
        return
    if run.dry_run:
        _count(run, planned.action)
        ctx.planned(remote, planned.action, planned.changes)
        return
    if planned.action != "unchanged":
        dataset = _apply(ctx, planned, remote, record)
    else:
        # Content differs only in what we do not keep (the hash changed, our metadata did not).
        dataset = Dataset.objects.filter(municipality=run.source.municipality, identifier=remote.identifier).first()
        if dataset is not None:
            dataset_mark_harvested(dataset=dataset, origin_url=remote.origin_url, remote_id=remote.remote_id, by=SYSTEM)
            _record_save(ctx, remote, record, dataset)
    if dataset is None:
        run.failed += 1
        _record_save(ctx, remote, record, None)
    else:
        _count(run, planned.action)


def _returning(ctx: _Ctx, changed: list[RemoteDataset], records: dict[str, Record]) -> list[RemoteDataset]:
    """Restore what came back before planning (a hidden dataset is deleted, and the plan would refuse
    it); a dry run only counts them, and leaves the hidden ones out of its plan."""
    hidden = set()
    for remote in changed:
        record = records.get(remote.remote_id)
        if record is None or record.withdrawn_at is None:
            continue
        if ctx.run.dry_run and record.hidden_at:
            hidden.add(remote.remote_id)
            ctx.planned(remote, "restore")
        _come_back(ctx, record)
    return [r for r in changed if r.remote_id not in hidden]


def _import(ctx: _Ctx, changed: list[RemoteDataset], records: dict[str, Record]) -> None:
    if not changed:
        return
    _stage(ctx, Stage.IMPORT)
    changed = _returning(ctx, changed, records)
    if not changed:
        return
    report = _plan(ctx, changed)
    municipality = ctx.run.source.municipality
    existing = dict(
        Dataset.objects.filter(municipality=municipality, identifier__in=[r.identifier for r in changed]).values_list(
            "identifier", "pk"
        )
    )
    pairs = list(zip(report.datasets, changed, strict=True))
    if ctx.run.dry_run:
        for n, (planned, remote) in enumerate(pairs, start=1):
            record = records.get(remote.remote_id)
            _import_one(ctx, planned, remote, record, _owner_conflict(remote, record, existing))
            ctx.tick(n, len(pairs), _("Revisando: conjunto %(n)d de %(t)d") % {"n": n, "t": len(pairs)})
        return
    for start in range(0, len(pairs), BULK_CHUNK):
        _import_chunk(ctx, pairs[start : start + BULK_CHUNK], records, existing)
        done = min(start + BULK_CHUNK, len(pairs))
        ctx.tick(done, len(pairs), _("Importando: conjunto %(n)d de %(t)d") % {"n": done, "t": len(pairs)})


def _import_chunk(ctx: _Ctx, pairs: list, records: dict[str, Record], existing: dict[str, int]) -> None:
    """Valid datasets in one bulk write; refused ones after it, one by one (their failure recorded)."""
    chunk, refused = Chunk([], [], []), []
    for planned, remote in pairs:
        record = records.get(remote.remote_id)
        conflict = _owner_conflict(remote, record, existing)
        if conflict or planned.action == "invalid":
            refused.append((planned, remote, record, conflict))
        else:
            chunk.planned.append(planned)
            chunk.remotes.append(remote)
            chunk.records.append(record)

    def one_by_one(planned, remote, record) -> None:
        with search_index_deferred():
            _import_one(ctx, planned, remote, record, False)

    chunk_import(ctx, chunk, SYSTEM, one_by_one)
    for planned, remote, record, conflict in refused:
        _import_one(ctx, planned, remote, record, conflict)


def _validate(ctx: _Ctx, changed: list[RemoteDataset]) -> None:
    """The national profile validator's findings on what this run brought in (see checks.py)."""
    _stage(ctx, Stage.VALIDATE)
    failed = {m.remote_id for m in ctx.messages if m.level == MessageLevel.ERROR and m.stage == Stage.IMPORT}
    ctx.checks = harvest_run_validate(run=ctx.run, changed=changed, failed=failed, written=ctx.written)


def _withdraw(ctx: _Ctx, missing: list[Record]) -> None:
    _stage(ctx, Stage.WITHDRAW)
    now = timezone.now()
    for record in missing:
        ctx.log(
            MessageLevel.INFO,
            Stage.WITHDRAW,
            record.remote_id,
            _("«%(id)s» ya no está en la fuente: se marca como retirado.") % {"id": record.identifier},
        )
        ctx.plan.append(
            {
                "remote_id": record.remote_id,
                "identifier": record.identifier,
                "title": "",
                "action": "withdraw",
                "changes": [],
            }
        )
    ctx.run.withdrawn = len(missing)
    if not ctx.run.dry_run and missing:
        HarvestRecord.objects.filter(pk__in=[r.pk for r in missing]).update(withdrawn_at=now)


def _hide_expired(ctx: _Ctx) -> None:
    """Withdrawn datasets whose grace period ended disappear from the catalog (soft delete, in bulk)."""
    source = ctx.run.source
    cutoff = timezone.now() - timedelta(days=source.withdraw_grace_days)
    due = list(
        source.records.filter(withdrawn_at__lte=cutoff, hidden_at__isnull=True, dataset__isnull=False).values_list(
            "pk", "remote_id", "identifier", "dataset_id"
        )
    )
    if not due:
        return
    with transaction.atomic():
        datasets_delete_bulk(municipality=source.municipality, dataset_ids=[d[3] for d in due], by=SYSTEM)
        HarvestRecord.objects.filter(pk__in=[d[0] for d in due]).update(hidden_at=timezone.now())
    message = _("«%(id)s» lleva %(d)d días retirado: se ocultó del catálogo.")
    for _pk, remote_id, identifier, _dataset_id in due:
        ctx.log(
            MessageLevel.INFO, Stage.WITHDRAW, remote_id, message % {"id": identifier, "d": source.withdraw_grace_days}
        )


def _too_many_withdrawals(ctx: _Ctx, missing: list[Record], active: int) -> bool:
    source = ctx.run.source
    if not missing or ctx.run.confirm_withdrawals or len(missing) * 100 <= source.withdraw_threshold_pct * active:
        return False
    ctx.log(
        MessageLevel.ERROR,
        Stage.WITHDRAW,
        "",
        _(
            "La fuente ya no ofrece %(n)d de sus %(t)d conjuntos (más del %(p)d%%): la corrida se detuvo sin "
            "cambiar nada. Si es correcto, confirmá el retiro; si no, revisá el portal de origen."
        )
        % {"n": len(missing), "t": active, "p": source.withdraw_threshold_pct},
    )
    ctx.run.withdrawn = len(missing)
    return True


@transaction.atomic  # one commit for the report (a re-harvest of an unchanged source is mostly commits)
def _finish(ctx: _Ctx, status: str, error: str = "") -> HarvestRun:
    run = ctx.run
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.plan = ctx.plan if run.dry_run or status == RunStatus.NEEDS_CONFIRMATION else []
    objects_insert(ctx.messages)
    objects_insert(ctx.checks)
    run.save()
    source = run.source
    if not run.dry_run and status == RunStatus.SUCCEEDED:
        source.last_clean_started_at = run.started_at
        source.save(update_fields=["last_clean_started_at"])
    audit_record(
        actor=SYSTEM,
        action="harvest_run.finish",
        target=run,
        municipality=source.municipality,
        changes={"status": status, "created": run.created, "updated": run.updated, "withdrawn": run.withdrawn},
    )
    stopped = status in (RunStatus.FAILED, RunStatus.PARTIAL, RunStatus.NEEDS_CONFIRMATION)
    invalid = not run.dry_run and any(check.errors for check in ctx.checks)
    if (stopped or invalid) and source.notify_list:
        transaction.on_commit(lambda: harvest_digest_send(run=run))
    return run


def _begin(run: HarvestRun) -> None:
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    source = run.source
    if source.kind == SourceKind.CKAN and not run.dry_run and not run.confirm_withdrawals:
        run.incremental_since = source.last_clean_started_at
    run.save(update_fields=["status", "started_at", "incremental_since"])


def harvest_run_execute(*, run: HarvestRun, progress=None, policy: FetchPolicy | None = None) -> HarvestRun:
    """Run the source's harvest (or preview it, for a dry run) and record its report."""
    ctx = _Ctx(run=run, progress=progress)
    _begin(run)
    _stage(ctx, Stage.GATHER)
    try:
        with Fetcher(policy or FetchPolicy()) as fetcher:
            gathered = source_gather(run.source, fetcher, since=run.incremental_since)
    except FetchError as exc:
        ctx.log(MessageLevel.ERROR, Stage.GATHER, "", f"{exc.message} ({exc.url})" if exc.url else exc.message)
        return _finish(ctx, RunStatus.FAILED, exc.message)
    _stage(ctx, Stage.FETCH)
    for remote_id, message in gathered.problems:
        ctx.log(MessageLevel.ERROR, Stage.FETCH, remote_id, message)
    for remote_id, message in gathered.warnings:
        ctx.log(MessageLevel.WARNING, Stage.FETCH, remote_id, message)
    run.failed = len(gathered.problems)
    records = records_of(run)
    present = _present_ids(gathered, records)
    run.remote_total = len(present)
    missing = [r for r in records.values() if r.remote_id not in present and r.withdrawn_at is None]
    active = sum(1 for r in records.values() if r.withdrawn_at is None)
    if _too_many_withdrawals(ctx, missing, active):
        return _finish(ctx, RunStatus.NEEDS_CONFIRMATION)
    changed, unchanged = _changed_and_unchanged(gathered, records)
    gathered_ids = {d.remote_id for d in gathered.datasets}
    not_returned = [
        r.remote_id for r in records.values() if r.remote_id in present - gathered_ids and r.withdrawn_at is None
    ]
    run.unchanged = len(unchanged) + len(not_returned)
    if not run.dry_run:
        seen = HarvestRecord.objects.filter(source=run.source, remote_id__in=[*unchanged, *not_returned])
        seen.update(last_seen_run=run, last_seen_at=timezone.now())
    _import(ctx, changed, records)
    _validate(ctx, changed)
    _withdraw(ctx, missing)
    if not run.dry_run:
        _hide_expired(ctx)
    return _finish(ctx, RunStatus.PARTIAL if run.failed or ctx.errors else RunStatus.SUCCEEDED)


def harvest_run_job(*, job, progress) -> dict:
    """Job handler: execute the run the job was created for; its status follows the job's."""
    run = HarvestRun.objects.select_related("source__municipality").filter(pk=job.params.get("run_id")).first()
    if run is None:
        return {}
    try:
        run = harvest_run_execute(run=run, progress=progress)
    except Exception as exc:
        HarvestRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    return {
        "run_id": run.pk,
        "status": run.status,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "withdrawn": run.withdrawn,
        "failed": run.failed,
    }
