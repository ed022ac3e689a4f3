"""The real ``ckanapi`` client (Python and command line) against a live server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError

from abiertos.catalog.tests.factories import CSV_BYTES, dataset_make

from .conftest import token_for

# serialized_rollback: the flush after a transactional test would otherwise also remove the
# rows data migrations create (the theme taxonomy) for every later test in this process.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BIN = Path(sys.executable).parent
CKANAPI = str(BIN / "ckanapi")


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


def cli(*args: str) -> subprocess.CompletedProcess:
    # ``ckanapi dump`` starts its workers as ``ckanapi`` from PATH: the virtualenv's comes first.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([CKANAPI, *args], capture_output=True, check=True, timeout=120, env=env)


def test_ckanapi_python_client_reads_and_writes(site, municipality, editor, tmp_path):
    published = dataset_make(municipality, publish=True, identifier="presupuesto", keywords=["presupuesto"])
    ckan = RemoteCKAN(site, apikey=token_for(editor))

    found = ckan.action.package_search(q="presupuesto", fq="organization:la-plata", rows=5, **{"facet.field": ["tags"]})
    assert [p["name"] for p in found["results"]] == [published.name]
    assert found["facets"]["tags"] == {"presupuesto": 1}
    assert ckan.action.package_show(id=published.name)["id"] == str(published.uuid)
    assert "la-plata" in ckan.action.organization_list()

    created = ckan.action.package_create(
        name="obras",
        title="Obras públicas",
        notes="Obras licitadas por el municipio.",
        owner_org="la-plata",
        tags=[{"name": "obras"}],
        extras=[{"key": "superTheme", "value": '["GOVE"]'}],
    )
    assert (created["name"], created["private"]) == ("la-plata_obras", True)  # public once it has a resource

    data = tmp_path / "obras.csv"
    data.write_bytes(CSV_BYTES)
    with data.open("rb") as upload:
        resource = ckan.action.resource_create(package_id=created["id"], name="Obras en CSV", upload=upload)
    assert (resource["format"], resource["size"], resource["url_type"]) == ("CSV", len(CSV_BYTES), "upload")
    assert requests.get(resource["url"], timeout=30).content == CSV_BYTES

    package = ckan.action.package_show(id=created["id"])
    assert package["private"] is False
    package["notes"] = "Obras licitadas y adjudicadas."
    assert ckan.action.package_update(**package)["notes"] == "Obras licitadas y adjudicadas."
    assert ckan.action.package_patch(id=created["id"], title="Obras 2025")["title"] == "Obras 2025"
    patched = ckan.action.resource_patch(id=resource["id"], description="Una fila por obra.")
    assert (patched["description"], patched["url"]) == ("Una fila por obra.", resource["url"])


def test_ckanapi_python_client_raises_ckan_errors(site, municipality):
    anonymous = RemoteCKAN(site)
    with pytest.raises(NotFound):
        anonymous.action.package_show(id="no-existe")
    with pytest.raises(NotAuthorized):
        anonymous.action.package_create(name="x", owner_org="la-plata")
    with pytest.raises(SearchQueryError):
        anonymous.action.package_search(fq="author:x")
    with pytest.raises(ValidationError) as exc:
        anonymous.action.package_search(rows=-1)
    assert "rows" in exc.value.error_dict


def test_ckanapi_cli_action_and_dump(site, municipality, other_municipality, draft):
    names = {dataset_make(m, publish=True).name for m in (municipality, other_municipality)}

    found = json.loads(cli("action", "package_search", "-r", site, "rows:10", "-j").stdout)
    assert found["count"] == 2
    assert {p["name"] for p in found["results"]} == names

    fetched = json.loads(cli("action", "package_show", "-r", site, "-g", f"id={min(names)}", "-j").stdout)
    assert fetched["name"] == min(names)

    dumped = [json.loads(line) for line in cli("dump", "datasets", "--all", "-q", "-r", site).stdout.splitlines()]
    assert {p["name"] for p in dumped} == names
    assert all(p["resources"] and p["organization"]["name"] for p in dumped)
