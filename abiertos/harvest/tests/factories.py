from abiertos.core.actors import Actor
from abiertos.harvest.fetch import FetchPolicy
from abiertos.harvest.models import HarvestRun, HarvestSource
from abiertos.harvest.runs import harvest_run_execute
from abiertos.harvest.services import SourceInput, harvest_source_create


def source_make(municipality, url: str, kind: str = "datajson", **extra) -> HarvestSource:
    data = SourceInput(title=extra.pop("title", f"Portal {kind}"), kind=kind, url=url, **extra)
    return harvest_source_create(municipality=municipality, data=data, by=Actor.system("test"))


def run_now(
    source: HarvestSource, *, dry_run: bool = False, confirm: bool = False, policy: FetchPolicy | None = None
) -> HarvestRun:
    """Run a harvest in this process, without the job queue."""
    run = HarvestRun.objects.create(source=source, dry_run=dry_run, confirm_withdrawals=confirm)
    return harvest_run_execute(run=run, policy=policy)
