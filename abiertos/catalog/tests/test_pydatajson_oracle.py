"""The national validator (pydatajson) as an oracle over our real /data.json and /catalog.xlsx.

pydatajson pins old libraries, so it lives in .venv-pydatajson (built by `make test`, or here when
missing) and runs in a subprocess through tools/pydatajson_validate.py, which prints a verdict.
"""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from abiertos.catalog import services
from abiertos.catalog.inputs import DatasetMetadata
from abiertos.catalog.tests.catalog_samples import PYDATAJSON_SAMPLES, catalog_populate
from abiertos.core.actors import Actor

ROOT = Path(settings.BASE_DIR)
VENV_PYTHON = ROOT / ".venv-pydatajson" / "bin" / "python"
STAMP = ROOT / ".venv-pydatajson" / ".installed"
VALIDATE = ROOT / "tools" / "pydatajson_validate.py"


@pytest.fixture(scope="session")
def pydatajson_python():
    if not STAMP.exists():
        build = subprocess.run(
            ["make", "-s", ".venv-pydatajson/.installed"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert build.returncode == 0, f"Could not build .venv-pydatajson:\n{build.stdout}\n{build.stderr}"
    return VENV_PYTHON


def _verdict(python: Path, path: Path) -> dict:
    run = subprocess.run([python, VALIDATE, path], capture_output=True, text=True, timeout=120, check=False)
    assert run.stdout, run.stderr
    return json.loads(run.stdout)


def _assert_valid(python: Path, path: Path) -> dict:
    verdict = _verdict(python, path)
    errors = "\n".join(f"{e['where']}: {e['message']} {e.get('path') or ''}" for e in verdict["errors"])
    assert verdict["valid"], f"pydatajson rejects {path.name}:\n{errors}"
    return verdict


@pytest.fixture
def sample(municipality, other_municipality):
    return catalog_populate(municipality, other_municipality)


def _save(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("url", ["/data.json", "/m/la-plata/data.json", "/m/bahia-blanca/data.json"])
def test_pydatajson_accepts_our_datajson(client, sample, tmp_path, pydatajson_python, url):
    response = client.get(url)
    body = b"".join(response.streaming_content)
    path = _save(tmp_path, "data.json", body)

    verdict = _assert_valid(pydatajson_python, path)

    assert verdict["datasets"] == len(json.loads(body)["dataset"]) > 0


def test_pydatajson_accepts_the_province_datajson_that_leaves_out_an_invalid_dataset(
    client, sample, tmp_path, pydatajson_python
):
    """A published dataset without ``issued``: pydatajson rejects its municipality's data.json, which
    lists it; the province data.json leaves it out and stays valid."""
    works = next(d for d in sample.published if d.identifier == "obras-publicas")
    metadata = DatasetMetadata.from_dataset(works)
    metadata.issued = None
    services.dataset_update(dataset=works, metadata=metadata, by=Actor.system("test"))

    own = b"".join(client.get("/m/la-plata/data.json").streaming_content)
    province = b"".join(client.get("/data.json").streaming_content)

    rejected = _verdict(pydatajson_python, _save(tmp_path, "municipio.json", own))
    assert not rejected["valid"]
    assert any("obras-publicas" in e["where"] and "issued" in e["message"] for e in rejected["errors"])
    verdict = _assert_valid(pydatajson_python, _save(tmp_path, "provincia.json", province))
    assert verdict["datasets"] == 2
    assert "la-plata_obras-publicas" not in [d["identifier"] for d in json.loads(province)["dataset"]]
    workbook = b"".join(client.get("/catalog.xlsx").streaming_content)
    assert _assert_valid(pydatajson_python, _save(tmp_path, "provincia.xlsx", workbook))["datasets"] == 2


@pytest.mark.parametrize("url", ["/catalog.xlsx", "/m/la-plata/catalog.xlsx"])
def test_pydatajson_reads_and_accepts_our_catalog_xlsx(client, sample, tmp_path, pydatajson_python, url):
    response = client.get(url)
    path = _save(tmp_path, "catalog.xlsx", b"".join(response.streaming_content))
    as_json = json.loads(b"".join(client.get(url.replace("catalog.xlsx", "data.json")).streaming_content))

    verdict = _assert_valid(pydatajson_python, path)

    assert verdict["datasets"] == len(as_json["dataset"])
    assert verdict["distributions"] == sum(len(d["distribution"]) for d in as_json["dataset"])


def test_pydatajson_oracle_can_fail(pydatajson_python):
    verdict = _verdict(pydatajson_python, PYDATAJSON_SAMPLES / "missing_catalog_title.json")

    assert not verdict["valid"]
    assert verdict["errors"]
