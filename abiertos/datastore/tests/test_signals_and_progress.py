"""Loads start when the catalog says a file changed; a long load reports progress and can be stopped."""

import contextlib

import duckdb
import pytest

from abiertos.catalog.signals import distribution_file_changed
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.datastore import query_progress
from abiertos.datastore.models import DatastoreTable
from abiertos.jobs.models import Job, JobStatus


def test_distribution_file_changed_queues_and_runs_a_load(municipality, django_capture_on_commit_callbacks):
    distribution = distribution_csv_make(dataset_make(municipality), content=b"a;b\n1;2,5\n")
    with django_capture_on_commit_callbacks(execute=True):
        distribution_file_changed.send(sender=type(distribution), distribution=distribution)
    job = Job.objects.get(kind="datastore.ingest")
    assert (job.status, job.params["distribution_id"]) == (JobStatus.SUCCEEDED, distribution.pk)
    table = DatastoreTable.objects.get(distribution=distribution)
    assert [(c["name"], c["type"]) for c in table.columns] == [("a", "integer"), ("b", "number")]


def test_distribution_file_changed_ignores_files_that_are_not_tables(municipality):
    distribution = distribution_csv_make(dataset_make(municipality), content=b"a\n1\n")
    distribution.file_name, distribution.format = "informe.pdf", "PDF"
    distribution_file_changed.send(sender=type(distribution), distribution=distribution)
    assert not Job.objects.filter(kind="datastore.ingest").exists()


class Stop(Exception):
    pass


def test_query_watcher_reports_progress_and_interrupts_when_told_to_stop(monkeypatch):
    monkeypatch.setattr(query_progress, "POLL_SECONDS", 0.05)
    con = duckdb.connect(config={"threads": 1})
    seen = []

    def report(percent):
        seen.append(percent)
        raise Stop()

    def long_query():
        with contextlib.suppress(duckdb.InterruptException), query_progress.QueryWatcher(con, report):
            con.execute("SELECT count(*) FROM range(20000000000) t(i) WHERE i % 7 = 3").fetchall()

    with pytest.raises(Stop):
        long_query()
    assert seen
    assert 0 <= seen[0] <= 100
