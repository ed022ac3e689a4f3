"""Contract tests: our answers against the responses an Andino (CKAN) portal really gave.

For each recorded response, the equivalent call to our API answers with the same envelope and,
for packages, resources, organizations, tags and groups, the same keys with the same JSON types,
except for the differences listed (and explained) below.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.tests.factories import municipality_make

pytestmark = pytest.mark.django_db

RECORDED = Path(settings.BASE_DIR).parent / "shared" / "data" / "ckan" / "andino_api_responses"

# Keys Andino sends that we do not, and keys we send that Andino does not.
MISSING = {
    "package": {"revision_id"},  # CKAN 2.9 (the version we report) removed revisions
    "resource": {"revision_id", "webstore_url", "webstore_last_updated"},  # ditto; the webstore died in CKAN 2.0
    "organization": {"revision_id"},
}
EXTRA = {
    # CKAN adds license_url whenever the license has one; every license we accept has one.
    "package": {"license_url"},
}
# Keys whose JSON type differs on purpose.
TYPE_DIFFERENCES = {
    "package": {"creator_user_id"},  # null: we do not publish our users' ids
    "organization": {"created"},  # null: a municipality is not "created" in the portal
    "resource": {"size"},  # always an integer; Andino's package_create echoed the text it stored
}
# Andino accepted these in package_create; we replace them when replaying its request, because our
# profile only accepts open licenses and themes of our taxonomy, and the owner is a municipality.
REPLAYED_PACKAGE_CHANGES = {"owner_org": "la-plata", "license_id": "cc-by-4.0", "groups": [{"name": "gasto-publico"}]}


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def recorded_request(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.request_body.txt").read_text(encoding="utf-8"))


def json_type(value) -> str:
    return "null" if value is None else type(value).__name__


def assert_same_shape(ours: dict, theirs: dict, kind: str) -> None:
    assert set(theirs) - set(ours) <= MISSING.get(kind, set()), kind
    assert set(ours) - set(theirs) <= EXTRA.get(kind, set()), kind
    # A null in Andino's answer is CKAN's "not set": any type of ours matches it.
    differing = {
        k for k in set(ours) & set(theirs) if theirs[k] is not None and json_type(ours[k]) != json_type(theirs[k])
    }
    assert differing <= TYPE_DIFFERENCES.get(kind, set()), (kind, differing)


def assert_same_package_shape(ours: dict, theirs: dict) -> None:
    assert_same_shape(ours, theirs, "package")
    assert_same_shape(ours["organization"], theirs["organization"], "organization")
    for kind, key in (("resource", "resources"), ("tag", "tags"), ("group", "groups")):
        assert ours[key], key
        assert theirs[key], key
        assert_same_shape(ours[key][0], theirs[key][0], kind)


def assert_same_envelope(answer, theirs: dict, status: int) -> None:
    assert answer.status == status
    assert set(answer.body) == set(theirs)
    assert answer.body["help"].rsplit("?", 1)[1] == theirs["help"].rsplit("?", 1)[1]
    if not theirs["success"]:
        assert set(answer.error) == set(theirs["error"])
        assert answer.error["__type"] == theirs["error"]["__type"]


@pytest.fixture
def full_dataset(municipality):
    return dataset_make(
        municipality,
        publish=True,
        identifier="contrataciones",
        themes=["compras-y-contrataciones"],
        keywords=["compras"],
        contact_name="Dirección de Compras",
        contact_email="compras@example.org",
        temporal="2015-01-01/2015-12-31",
    )


def test_contract_package_show(ckan, full_dataset):
    theirs = recorded("package_show_200.json")
    answer = ckan("package_show", {**recorded_request("package_show_200"), "id": full_dataset.name})
    assert_same_envelope(answer, theirs, 200)
    assert_same_package_shape(answer.result, theirs["result"])
    assert {e["key"] for e in answer.result["extras"]} <= {e["key"] for e in theirs["result"]["extras"]} | {"issued"}


def test_contract_package_create(ckan, editor_token):
    theirs = recorded("package_create_200.json")
    body = {**recorded_request("package_create_200"), **REPLAYED_PACKAGE_CHANGES}
    answer = ckan("package_create", body, token=editor_token)
    assert_same_envelope(answer, theirs, 200)
    assert_same_package_shape(answer.result, theirs["result"])
    ours, andino = answer.result, theirs["result"]
    for key in ("title", "notes", "author", "author_email", "maintainer", "maintainer_email", "url", "private"):
        assert ours[key] == andino[key], key
    assert sorted(t["name"] for t in ours["tags"]) == sorted(t["name"] for t in andino["tags"])
    assert ours["name"] == "la-plata_" + andino["name"]  # names are unique across municipalities
    resource, andino_resource = ours["resources"][0], andino["resources"][0]
    for key in ("name", "description", "format", "mimetype", "url", "accessURL", "attributesDescription"):
        if key == "attributesDescription":
            assert [c["title"] for c in json.loads(resource[key])] == [
                c["title"] for c in json.loads(andino_resource[key])
            ]
        elif key != "accessURL":
            assert resource[key] == andino_resource[key], key
    extras = {e["key"]: e["value"] for e in ours["extras"]}
    assert extras["superTheme"] == '["ECON"]'
    assert (extras["accrualPeriodicity"], extras["temporal"], extras["spatial"]) == (
        "R/P1Y",
        "2015-01-01/2015-12-31",
        "ARG",
    )


def test_contract_package_create_refuses_what_our_profile_does_not_accept(ckan, editor_token):
    body = {**recorded_request("package_create_200"), "owner_org": "la-plata"}
    answer = ckan("package_create", body, token=editor_token)
    assert answer.status == 409
    assert {"license_id", "groups"} <= set(answer.error)


def test_contract_package_create_denied(ckan, municipality):
    theirs = recorded("package_create_403_denied.json")
    body = {**recorded_request("package_create_403_denied"), **REPLAYED_PACKAGE_CHANGES}
    assert_same_envelope(ckan("package_create", body), theirs, 403)


def test_contract_package_update_not_found(ckan, municipality, editor_token):
    theirs = recorded("package_update_404_not_found.json")
    answer = ckan("package_update", recorded_request("package_update_404_not_found"), token=editor_token)
    assert_same_envelope(answer, theirs, 404)


def test_contract_package_list(ckan, full_dataset):
    theirs = recorded("package_list.json")
    answer = ckan("package_list")
    assert_same_envelope(answer, theirs, 200)
    assert {json_type(n) for n in answer.result} == {json_type(n) for n in theirs["result"]}


@pytest.mark.parametrize(("recording", "expected"), [("package_search_count0", 0), ("package_search_count3", 3)])
def test_contract_package_search(ckan, recording, expected):
    org_3 = municipality_make("org-3", slug="org-3")
    municipality_make("org-4", slug="org-4")
    for _ in range(3):
        dataset_make(org_3, publish=True)
    theirs = recorded(f"{recording}.json")
    answer = ckan("package_search", recorded_request(recording))
    assert_same_envelope(answer, theirs, 200)
    assert set(answer.result) == set(theirs["result"])
    assert answer.result["count"] == theirs["result"]["count"] == expected
    assert answer.result["sort"] == theirs["result"]["sort"]
    assert (answer.result["facets"], answer.result["search_facets"]) == ({}, {})
    if expected:
        assert_same_shape(answer.result["results"][0], theirs["result"]["results"][0], "package")


def test_contract_resource_patch(ckan, editor_token, full_dataset):
    theirs = recorded("resource_patch_200.json")
    resource_id = str(full_dataset.distributions.get().uuid)
    body = {**recorded_request("resource_patch_200"), "id": resource_id}
    body.pop("url")  # an uploaded file's address is ours
    answer = ckan("resource_patch", body, token=editor_token)
    assert_same_envelope(answer, theirs, 200)
    assert_same_shape(answer.result, theirs["result"], "resource")
    for key in ("name", "description", "format", "mimetype"):
        assert answer.result[key] == theirs["result"][key], key
    columns = json.loads(answer.result["attributesDescription"])
    assert [c["title"] for c in columns] == [c["title"] for c in json.loads(theirs["result"]["attributesDescription"])]


def test_contract_license_list(ckan):
    theirs = recorded("license_list.json")
    answer = ckan("license_list")
    assert_same_envelope(answer, theirs, 200)
    for license in answer.result:
        assert_same_shape(license, theirs["result"][0], "license")


def test_contract_every_recorded_response_is_covered():
    covered = {
        "package_show_200",
        "package_create_200",
        "package_create_403_denied",
        "package_update_404_not_found",
        "package_list",
        "package_search_count0",
        "package_search_count3",
        "resource_patch_200",
        "license_list",
    }
    # andino_default_data.json is a data.json catalog, not an Action API response (see the DCAT exports).
    recordings = {p.name.removesuffix(".json") for p in RECORDED.glob("*.json")} - {"andino_default_data"}
    assert recordings == covered
