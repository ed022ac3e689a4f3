"""Which datasets the province's data.json federates: only those the national profile accepts.

The national portal harvests the province's ``/data.json`` and federates only valid datasets; a
dataset with errors against the profile is left out of it (and counted, see ``datajson``), while
its municipality's own ``/data.json`` keeps every published dataset. The validator lives in
monitoring, above the catalog: monitoring registers a judge here in its ``AppConfig.ready()`` (as
harvest/checks.py does for harvest runs). Without a judge every published dataset is federated.

The verdict is stored with each dataset's province entry (``DatasetExportFragment.federable``) and
judged again exactly when the entry is rebuilt: its key digests everything the entry is made from,
plus the judge's ``stamp`` (bump the judge's version when its rules change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FederationJudge:
    """``federable(entry, taxonomy)``: True when a province entry (a data.json dataset dict) may be
    federated; ``taxonomy`` holds the catalog's theme ids."""

    name: str
    version: str
    federable: Callable[[dict, set[str]], bool]


_judge: FederationJudge | None = None


def federation_judge_register(judge: FederationJudge | None) -> None:
    """Called by a higher app in its ``ready()``; a later registration replaces the earlier one
    (None removes it: the benchmark measures the export without a judge)."""
    global _judge  # noqa: PLW0603 (one registry per process, filled at start-up)
    _judge = judge


def federation_judge() -> FederationJudge | None:
    return _judge


def judge_stamp() -> str:
    """Which judge (and which version of its rules) the stored verdicts come from."""
    return f"{_judge.name}:{_judge.version}" if _judge else "-"


def entries_federable(entries: Iterable[dict], taxonomy: set[str]) -> list[bool]:
    """The verdict on each entry (all True without a judge)."""
    if _judge is None:
        return [True for _entry in entries]
    return [_judge.federable(entry, taxonomy) for entry in entries]
