"""Our validator against the national one (pydatajson, the oracle) on every sample it ships."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from abiertos.catalog.xlsx_import import xlsx_catalog_read
from abiertos.monitoring.validator import validate_catalog, validate_dataset

ROOT = Path(settings.BASE_DIR)
SAMPLES = ROOT.parent / "shared" / "data" / "catalogs" / "pydatajson"
VENV_PYTHON = ROOT / ".venv-pydatajson" / "bin" / "python"
VALIDATE = ROOT / "tools" / "pydatajson_validate.py"
JSON_SAMPLES = sorted(SAMPLES.glob("*.json"))
XLSX_SAMPLES = sorted(SAMPLES.glob("*.xlsx"))


def _oracle(path: Path) -> dict:
    if not VENV_PYTHON.exists():
        pytest.fail(f"{VENV_PYTHON} is missing: build it with `make .venv-pydatajson/.installed`.")
    run = subprocess.run([VENV_PYTHON, VALIDATE, path], capture_output=True, text=True, timeout=120, check=False)
    assert run.stdout, run.stderr
    return json.loads(run.stdout)


def _their_paths(verdict: dict) -> set[str]:
    paths = set()
    for error in verdict["errors"]:
        path = ".".join(str(p) for p in error.get("path") or [])
        paths.add(path.removeprefix("catalog."))
    return paths


def _our_paths(report) -> set[str]:
    return {re.sub(r"\[(\d+)\]", r".\1", path) for path in report.paths(profile=True)}


def test_samples_are_there():
    assert len(JSON_SAMPLES) >= 19
    assert len(XLSX_SAMPLES) == 2


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: p.name)
def test_validator_agrees_with_pydatajson(path):
    verdict = _oracle(path)

    report = validate_catalog(json.loads(path.read_text()))

    assert report.profile_valid == verdict["valid"], [f.message for f in report.findings if f.profile]
    if any(e["where"] == "read" for e in verdict["errors"]):
        # pydatajson crashed reading it (a non-list "dataset"): no fields to compare, only the verdict.
        assert not report.profile_valid
        return
    assert _our_paths(report) == _their_paths(verdict)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # The same too-long title pydatajson reports in catalogo_justicia.json, and nothing else.
        ("catalogo-justicia.valid.xlsx", {"dataset.7.title"}),
        # Every dataset row lost its title.
        ("catalogo-justicia-con-error-datasets.invalid.xlsx", {f"dataset.{i}" for i in range(16)}),
    ],
)
def test_xlsx_samples_pydatajson_cannot_read_and_we_can(name, expected):
    """pydatajson 0.4.67 fails on these older templates (no distribution_identifier column): its
    verdict is a read error. We read them, and our validator says what is wrong inside."""
    path = SAMPLES / name
    verdict = _oracle(path)
    with path.open("rb") as stream:
        read = xlsx_catalog_read(stream)

    report = validate_catalog(read.catalog)

    assert not verdict["valid"]
    assert verdict["errors"][0]["where"] == "read"
    assert not report.profile_valid
    assert report.datasets >= 16
    assert report.distributions > report.datasets
    assert _our_paths(report) == expected


def test_validator_findings_say_where_and_how_to_fix_in_spanish():
    report = validate_catalog(json.loads((SAMPLES / "several_assorted_errors.json").read_text()))

    title = next(f for f in report.findings if f.code == "title_long")
    assert title.path == "dataset[0].title"
    assert "tiene 125 caracteres; el máximo es 100" in title.message
    assert title.fix.startswith("Acortá el título")
    mbox = next(f for f in report.findings if f.path == "publisher.mbox")
    assert "datosmodernizacion.gob.ar" in mbox.message


def _dataset(**overrides) -> dict:
    entry = {
        "identifier": "presupuesto",
        "title": "Presupuesto 2025",
        "description": "Presupuesto aprobado por el Concejo Deliberante, por finalidad y función.",
        "publisher": {"name": "Secretaría de Hacienda", "mbox": "hacienda@example.org"},
        "superTheme": ["ECON"],
        "theme": ["presupuesto"],
        "keyword": ["presupuesto"],
        "license": "cc-by-4.0",
        "accrualPeriodicity": "R/P1Y",
        "issued": "2025-01-01",
        "modified": "2025-02-01",
        "distribution": [
            {
                "identifier": "presupuesto-csv",
                "title": "CSV",
                "issued": "2025-01-01",
                "format": "CSV",
                "accessURL": "https://example.org/p",
                "downloadURL": "https://example.org/p.csv",
            }
        ],
    }
    entry.update(overrides)
    return entry


def test_validator_clean_dataset_has_no_findings():
    assert validate_dataset(_dataset(), taxonomy={"presupuesto"}) == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"modified": "2024-01-01"}, "modified_before_issued"),
        ({"theme": ["inexistente"]}, "theme_not_in_taxonomy"),
        ({"accrualPeriodicity": "R/P5Y"}, "periodicity_not_listed"),
        ({"temporal": "2024-02-30/2024-12-31"}, "temporal_impossible"),
        ({"temporal": "2025-01-01/2024-12-31"}, "temporal_reversed"),
        ({"identifier": "con espacios"}, "identifier_chars"),
        ({"distribution": []}, "no_distributions"),
        ({"license": ""}, "license_missing"),
    ],
)
def test_validator_checks_pydatajson_lacks(overrides, code):
    findings = validate_dataset(_dataset(**overrides), taxonomy={"presupuesto"})

    assert code in {f.code for f in findings}
    assert not any(f.profile for f in findings)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"accrualPeriodicity": ["R/P1Y"]}, "periodicity"),
        ({"issued": "2025-02-30"}, "date"),
        ({"issued": "2025-01-01T25:00"}, "date"),
        ({"superTheme": "ECON"}, "super_theme_empty"),
        ({"keyword": ["a;b"]}, "keyword"),
        ({"distribution": [{"identifier": "x", "title": "X", "issued": "2025-01-01", "accessURL": "a b"}]}, "uri"),
    ],
)
def test_validator_profile_rules_on_odd_values(overrides, code):
    findings = validate_dataset(_dataset(**overrides), taxonomy={"presupuesto"})

    assert code in {f.code for f in findings if f.profile}


def test_validator_duplicate_identifiers_across_the_catalog():
    catalog = {
        "title": "T",
        "description": "D",
        "publisher": {"name": "P", "mbox": "p@example.org"},
        "superThemeTaxonomy": "http://datos.gob.ar/superThemeTaxonomy.json",
        "themeTaxonomy": [{"id": "presupuesto", "label": "Presupuesto"}],
        "dataset": [_dataset(), _dataset(title="Otro")],
    }

    report = validate_catalog(catalog)

    codes = {f.code for f in report.findings}
    assert {"dataset_id_repeated", "distribution_id_repeated"} <= codes
    assert report.profile_valid  # pydatajson would accept it: we do not
    assert report.errors
