from abiertos.accounts.tests.factories import PASSWORD
from abiertos.catalog.tests.factories import dataset_make
from abiertos.portal import services


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def _changes(municipality, other_municipality, editor, actor):
    services.municipality_profile_update(
        municipality=municipality,
        by=actor(editor),
        intro="Hola",
        primary_color="#123456",
        website="",
        contact_email="",
        enabled_modules=["catalog"],
    )
    dataset_make(other_municipality, title="Dato bahiense")


def test_audit_page_shows_own_municipality_changes_to_its_editor(
    client, municipality, other_municipality, editor, actor
):
    _changes(municipality, other_municipality, editor, actor)
    _login(client, editor)
    body = client.get("/auditoria/").content.decode()
    assert "municipality.update" in body
    assert "editor@example.org" in body
    assert "#123456" in body
    assert "Dato bahiense" not in body


def test_audit_page_shows_everything_to_provincial_admin_and_filters(
    client, municipality, other_municipality, editor, provincial_admin, actor
):
    _changes(municipality, other_municipality, editor, actor)
    _login(client, provincial_admin)
    body = client.get("/auditoria/").content.decode()
    assert "Dato bahiense" in body
    assert "municipality.update" in body
    filtered = client.get("/auditoria/", {"accion": "dataset."}).content.decode()
    assert "Dato bahiense" in filtered
    assert "municipality.update" not in filtered


def test_audit_page_denied_to_citizen_and_anonymous(client, municipality, citizen):
    assert client.get("/auditoria/").status_code == 302
    _login(client, citizen)
    assert client.get("/auditoria/").status_code == 403


def test_audit_api_lists_events_for_staff_only(client, municipality, other_municipality, editor, citizen, actor):
    _changes(municipality, other_municipality, editor, actor)
    _login(client, editor)
    items = client.get("/api/v1/audit").json()["items"]
    assert {i["action"] for i in items} == {"municipality.update"}
    assert items[0]["municipality"] == "la-plata"
    assert items[0]["changes"]["intro"] == ["", "Hola"]
    client.logout()
    assert client.get("/api/v1/audit").status_code == 401
    _login(client, citizen)
    assert client.get("/api/v1/audit").status_code == 403


def test_municipality_list_refuses_out_of_range_paging_with_400(client, municipality):
    for params in ({"limit": 10**12}, {"offset": 10**20}, {"limit": 0}, {"offset": -1}):
        response = client.get("/api/v1/municipalities", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "validation_error"
    assert client.get("/api/v1/municipalities", {"limit": 1}).json()["items"][0]["slug"] == "la-plata"
