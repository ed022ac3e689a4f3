"""Federation upward: our own platform, started as a second instance (pytest's live server), is
harvested through its CKAN API and its data.json with our harvester, and read with pydatajson's
reader; nothing published may be lost, nothing unpublished may leak, identifiers stay stable."""

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from abiertos.catalog.models import Dataset
from abiertos.catalog.tests.catalog_samples import catalog_populate
from abiertos.core.tests.factories import municipality_make
from abiertos.harvest.models import RunStatus, SourceKind

from .factories import run_now, source_make

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(settings.BASE_DIR)
PYDATAJSON = ROOT / ".venv-pydatajson" / "bin" / "python"
VALIDATE = ROOT / "tools" / "pydatajson_validate.py"
READ_CKAN = """
import json, sys
from pydatajson import ckan_reader
ckan_reader.time.sleep = lambda seconds: None  # its 0.2 s pause per package
catalog = ckan_reader.read_ckan_catalog(sys.argv[1])
print(json.dumps([
    {"identifier": d["identifier"], "title": d["title"], "description": d["description"],
     "keywords": sorted(d.get("keyword") or []),
     "distributions": sorted(x["title"] for x in d.get("distribution") or [])}
    for d in catalog["dataset"]
], ensure_ascii=False))
"""
READ = """
import json, sys, pydatajson
catalog = pydatajson.DataJson(sys.argv[1])
print(json.dumps([
    {"identifier": d["identifier"], "title": d["title"], "description": d["description"],
     "distributions": sorted(x["title"] for x in d.get("distribution") or [])}
    for d in catalog.get_datasets()
], ensure_ascii=False))
"""


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def sample(municipality, other_municipality):
    return catalog_populate(municipality, other_municipality)


def _published_view(dataset: Dataset) -> dict:
    return {
        "title": dataset.title,
        "description": dataset.description,
        "keywords": sorted(dataset.keywords),
        "super_themes": sorted(dataset.super_themes),
        "periodicity": dataset.accrual_periodicity,
        "distributions": sorted(d.title for d in dataset.distributions.filter(deleted_at__isnull=True)),
    }


def test_our_ckan_api_harvested_by_our_harvester_loses_nothing(site, sample):
    tandil = municipality_make("Tandil", code="06791", slug="tandil")
    # Only the two original municipalities: Tandil's own copies are in the same CKAN API.
    source = source_make(tandil, site, kind=SourceKind.CKAN, ckan_filter="organization:(la-plata OR bahia-blanca)")
    run = run_now(source)
    assert run.status == RunStatus.SUCCEEDED, list(run.messages.values_list("message", flat=True))
    assert run.created == len(sample.published)
    for original in sample.published:
        copy = Dataset.objects.get(municipality=tandil, identifier=original.name)
        assert copy.is_harvested
        assert copy.origin_remote_id == str(original.uuid)
        assert _published_view(copy) == _published_view(original)
    assert not Dataset.objects.filter(municipality=tandil, title__in=["Borrador sin publicar", "Conjunto eliminado"])
    again = run_now(source)
    assert (again.created, again.updated, again.withdrawn) == (0, 0, 0)
    assert again.unchanged == len(sample.published)
    # pydatajson's CKAN reader, over the same API, sees the same datasets we harvested.
    read = subprocess.run([PYDATAJSON, "-c", READ_CKAN, site], capture_output=True, text=True, timeout=300)
    assert read.returncode == 0, read.stderr[-3000:]
    theirs = {d.pop("identifier"): d for d in json.loads(read.stdout)}
    for copy in Dataset.objects.filter(municipality=tandil):
        assert theirs[copy.origin_remote_id] == {
            "title": copy.title,
            "description": copy.description,
            "keywords": sorted(copy.keywords),
            "distributions": sorted(d.title for d in copy.distributions.filter(deleted_at__isnull=True)),
        }


def test_our_datajson_harvested_and_read_by_pydatajson_agree(site, sample, municipality, tmp_path):
    azul = municipality_make("Azul", code="06049", slug="azul")
    url = f"{site}/m/{municipality.slug}/data.json"
    run = run_now(source_make(azul, url))
    assert run.status == RunStatus.SUCCEEDED, list(run.messages.values_list("message", flat=True))
    ours = {
        d.identifier: {
            "title": d.title,
            "description": d.description,
            "distributions": sorted(x.title for x in d.distributions.filter(deleted_at__isnull=True)),
        }
        for d in Dataset.objects.filter(municipality=azul)
    }
    served = tmp_path / "la-plata.json"
    served.write_bytes(urllib.request.urlopen(url).read())  # noqa: S310 (the local live server)
    read = subprocess.run([PYDATAJSON, "-c", READ, served], capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    theirs = {d.pop("identifier"): d for d in json.loads(read.stdout)}
    assert ours == theirs
    assert set(ours) == {d.identifier for d in sample.published if d.municipality_id == municipality.pk}
    # What we harvested is federable in turn: the national validator accepts Azul's own data.json.
    path = tmp_path / "azul.json"
    path.write_bytes(urllib.request.urlopen(f"{site}/m/azul/data.json").read())  # noqa: S310 (local live server)
    verdict = json.loads(
        subprocess.run([PYDATAJSON, VALIDATE, path], capture_output=True, text=True, timeout=120).stdout
    )
    assert verdict["valid"], verdict["errors"]
    assert verdict["datasets"] == len(ours)
