"""Role management: the page and the REST endpoints for provincial administrators."""

import pytest
from django.urls import reverse

from abiertos.accounts import services
from abiertos.accounts.models import Membership, Role
from abiertos.accounts.tests.factories import user_with_role
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, PermissionDenied, ValidationError
from abiertos.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES_URL = reverse("accounts:roles")


def _write_token(user):
    _t, secret = services.api_token_create(user=user, name="roles", scopes=["write"], by=Actor.for_user(user))
    return {"Authorization": f"Token {secret}"}


# --- services ------------------------------------------------------------------------------


def test_membership_grant_is_audited(provincial_admin, citizen, municipality):
    membership = services.membership_grant(
        user=citizen, role=Role.FOI_OFFICER, municipality=municipality, by=Actor.for_user(provincial_admin)
    )
    assert (membership.user, membership.role, membership.municipality) == (citizen, "foi_officer", municipality)
    event = AuditEvent.objects.get(action="membership.grant")
    assert event.actor == provincial_admin
    assert event.municipality == municipality
    assert event.changes == {"user": "vecina@example.org", "role": "foi_officer"}


def test_membership_grant_validates(provincial_admin, citizen, municipality):
    by = Actor.for_user(provincial_admin)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_grant(user=citizen, role=Role.MUNICIPAL_EDITOR, municipality=None, by=by)
    assert excinfo.value.fields == {"municipality": ["Elegí el municipio."]}
    with pytest.raises(ValidationError):
        services.membership_grant(user=citizen, role="rey", municipality=municipality, by=by)
    services.membership_grant(user=citizen, role=Role.MUNICIPAL_EDITOR, municipality=municipality, by=by)
    with pytest.raises(Conflict, match="ya tiene el rol «Edición municipal» en La Plata"):
        services.membership_grant(user=citizen, role=Role.MUNICIPAL_EDITOR, municipality=municipality, by=by)


def test_provincial_role_ignores_the_municipality(provincial_admin, citizen, municipality):
    membership = services.membership_grant(
        user=citizen, role=Role.PROVINCIAL_ADMIN, municipality=municipality, by=Actor.for_user(provincial_admin)
    )
    assert membership.municipality is None


@pytest.mark.parametrize("who", ["editor", "foi_officer", "citizen"])
def test_only_provincial_admins_grant_or_revoke(request, who, municipality, citizen, editor):
    by = Actor.for_user(request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        services.membership_grant(user=citizen, role=Role.MUNICIPAL_EDITOR, municipality=municipality, by=by)
    with pytest.raises(PermissionDenied):
        services.membership_revoke(membership=editor.memberships.get(), by=by)
    assert Membership.objects.filter(user=editor).exists()
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()


def test_membership_revoke_is_audited_and_keeps_the_last_admin(provincial_admin, editor):
    by = Actor.for_user(provincial_admin)
    services.membership_revoke(membership=editor.memberships.get(), by=by)
    assert not Membership.objects.filter(user=editor).exists()
    assert AuditEvent.objects.get(action="membership.revoke").changes == {
        "user": "editor@example.org",
        "role": "municipal_editor",
    }
    with pytest.raises(Conflict, match="último rol de administración provincial"):
        services.membership_revoke(membership=provincial_admin.memberships.get(), by=by)
    other_admin = user_with_role(Role.PROVINCIAL_ADMIN, email="otra-admin@example.org")
    services.membership_revoke(membership=provincial_admin.memberships.get(), by=Actor.for_user(other_admin))
    assert list(Membership.objects.filter(role=Role.PROVINCIAL_ADMIN).values_list("user", flat=True)) == [
        other_admin.pk
    ]


# --- the page ------------------------------------------------------------------------------


def test_roles_page_lists_people_and_roles(
    client, provincial_admin, editor, foi_officer, django_assert_max_num_queries
):
    unconfirmed = user_with_role(Role.MUNICIPAL_EDITOR, editor.memberships.get().municipality, confirmed=False)
    client.force_login(provincial_admin)
    with django_assert_max_num_queries(10):
        response = client.get(ROLES_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("editor@example.org", "oficial@example.org", "provincia@example.org", "Responsable de acceso"):
        assert text in html
    assert unconfirmed.email in html
    assert "correo sin confirmar" in html
    filtered = client.get(ROLES_URL, {"q": "oficial"}).content.decode()
    assert "oficial@example.org" in filtered
    assert "editor@example.org" not in filtered


@pytest.mark.parametrize("who", ["editor", "foi_officer", "citizen"])
def test_roles_page_is_forbidden_to_others(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(ROLES_URL)
    assert response.status_code == 403
    assert "No tenés permiso para ver quién tiene cada rol." in response.content.decode()
    assert client.post(ROLES_URL, {"email": "x@example.org", "role": "provincial_admin"}).status_code == 403
    assert not Membership.objects.filter(user__email="x@example.org").exists()


def test_roles_page_requires_login(client):
    response = client.get(ROLES_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_roles_page_grants_a_role(client, provincial_admin, citizen, municipality):
    client.force_login(provincial_admin)
    response = client.post(
        ROLES_URL, {"email": "Vecina@example.org", "role": "municipal_editor", "municipality": "la-plata"}, follow=True
    )
    assert response.redirect_chain == [(ROLES_URL, 302)]
    assert "vecina@example.org · Edición municipal · La Plata" in response.content.decode()
    assert Membership.objects.filter(user=citizen, role="municipal_editor", municipality=municipality).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "nadie@example.org", "role": "foi_officer", "municipality": "la-plata"}, "email", "No hay ninguna"),
        ({"email": "vecina@example.org", "role": "foi_officer", "municipality": ""}, "municipality", "Elegí el"),
        (
            {"email": "vecina@example.org", "role": "rey", "municipality": "la-plata"},
            "role",
            "Elegí un rol de la lista.",
        ),
        (
            {"email": "vecina@example.org", "role": "foi_officer", "municipality": "atlantida"},
            "municipality",
            "Elegí un municipio",
        ),
    ],
)
def test_roles_page_explains_bad_input(client, provincial_admin, citizen, municipality, data, field, message):
    client.force_login(provincial_admin)
    response = client.post(ROLES_URL, data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert "Hay datos para revisar" in response.content.decode()
    assert not Membership.objects.filter(user=citizen).exists()


def test_roles_page_reports_duplicates(client, provincial_admin, editor):
    client.force_login(provincial_admin)
    response = client.post(ROLES_URL, {"email": editor.email, "role": "municipal_editor", "municipality": "la-plata"})
    assert response.status_code == 400
    assert "ya tiene el rol" in response.content.decode()


def test_roles_page_revokes(client, provincial_admin, editor):
    client.force_login(provincial_admin)
    membership = editor.memberships.get()
    response = client.post(reverse("accounts:role_revoke", args=[membership.pk]), follow=True)
    assert "Quitaste el rol" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    last = provincial_admin.memberships.get()
    response = client.post(reverse("accounts:role_revoke", args=[last.pk]), follow=True)
    assert "último rol de administración provincial" in response.content.decode()
    assert Membership.objects.filter(pk=last.pk).exists()


def test_profile_links_admins_to_roles_page(client, provincial_admin, editor):
    client.force_login(provincial_admin)
    assert f'href="{ROLES_URL}"' in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(editor)
    assert f'href="{ROLES_URL}"' not in client.get(reverse("accounts:profile")).content.decode()


# --- REST ----------------------------------------------------------------------------------


def test_rest_memberships_list_create_delete(client, provincial_admin, editor, citizen, municipality):
    auth = _write_token(provincial_admin)
    listed = client.get("/api/v1/memberships", {"municipality": "la-plata"}, headers=auth)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert [(m["email"], m["role"], m["municipality"]) for m in listed.json()["items"]] == [
        ("editor@example.org", "municipal_editor", "la-plata")
    ]
    created = client.post(
        "/api/v1/memberships",
        {"email": citizen.email, "role": "foi_officer", "municipality": "la-plata"},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["email"], body["role"], body["municipality"]) == ("vecina@example.org", "foi_officer", "la-plata")
    assert AuditEvent.objects.filter(action="membership.grant", via="api").exists()
    deleted = client.delete(f"/api/v1/memberships/{body['id']}", headers=auth)
    assert deleted.status_code == 204
    assert not Membership.objects.filter(user=citizen).exists()


def test_rest_memberships_errors(client, provincial_admin, editor):
    auth = _write_token(provincial_admin)

    def post(data):
        return client.post("/api/v1/memberships", data, content_type="application/json", headers=auth)

    assert post({"email": "nadie@example.org", "role": "foi_officer", "municipality": "la-plata"}).status_code == 404
    missing = post({"email": editor.email, "role": "foi_officer", "municipality": "no-existe"})
    assert missing.status_code == 404
    assert "no-existe" in missing.json()["error"]["message"]
    duplicate = post({"email": editor.email, "role": "municipal_editor", "municipality": "la-plata"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "conflict"
    invalid = post({"email": editor.email, "role": "foi_officer"})
    assert invalid.status_code == 400
    assert invalid.json()["error"]["fields"] == {"municipality": ["Elegí el municipio."]}
    assert client.delete("/api/v1/memberships/99999", headers=auth).status_code == 404


def test_rest_memberships_denied_to_others(client, editor, citizen, provincial_admin):
    auth = _write_token(editor)
    assert client.get("/api/v1/memberships", headers=auth).status_code == 403
    # Denied before the lookup: the answer does not reveal whether the address has an account.
    for email in (citizen.email, "nadie@example.org"):
        response = client.post(
            "/api/v1/memberships",
            {"email": email, "role": "provincial_admin"},
            content_type="application/json",
            headers=auth,
        )
        assert response.status_code == 403
    assert client.delete(f"/api/v1/memberships/{editor.memberships.get().pk}", headers=auth).status_code == 403
    assert client.get("/api/v1/memberships").status_code == 401
    assert Membership.objects.count() == 2


def test_rest_memberships_read_token_can_list_but_not_grant(client, provincial_admin, citizen):
    _t, secret = services.api_token_create(
        user=provincial_admin, name="lectura", scopes=["read"], by=Actor.for_user(provincial_admin)
    )
    auth = {"Authorization": f"Token {secret}"}
    assert client.get("/api/v1/memberships", headers=auth).status_code == 200
    response = client.post(
        "/api/v1/memberships",
        {"email": citizen.email, "role": "provincial_admin"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=citizen).exists()


def test_membership_endpoints_are_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/memberships"]) == {"get", "post"}
    assert "delete" in paths["/api/v1/memberships/{membership_id}"]
    assert "/api/v1/me" in paths


def test_unconfirmed_admin_cannot_manage_roles(client):
    admin = user_with_role(Role.PROVINCIAL_ADMIN, email="admin-nuevo@example.org", confirmed=False)
    client.force_login(admin)
    response = client.get(ROLES_URL)
    assert response.status_code == 403
    assert "confirmá tu correo" in response.content.decode()


def test_rest_memberships_list_pages_without_extra_queries(
    client, provincial_admin, municipality, django_assert_max_num_queries
):
    for n in range(12):
        user_with_role(Role.MUNICIPAL_EDITOR, municipality, email=f"editora{n:02d}@example.org")
    auth = _write_token(provincial_admin)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/memberships", {"limit": 5, "offset": 5, "email": "editora"}, headers=auth).json()
    assert page["count"] == 12
    assert [m["email"] for m in page["items"]] == [f"editora{n:02d}@example.org" for n in range(5, 10)]
