"""The permission matrix: every kind of subject × every Action × own / other municipality.

The expected table is written out by hand on purpose: it is the specification, not a copy of
ROLE_ACTIONS. "Own" is La Plata, where the editor and the officer hold their roles; "other" is
Bahía Blanca. The second half drives the same rules through real pages and the REST API.
"""

import pytest
from django.urls import reverse

from abiertos.accounts import permissions, services
from abiertos.accounts.models import Membership, Role, TokenScope
from abiertos.accounts.permissions import Action
from abiertos.accounts.request_actor import actor_from_token
from abiertos.accounts.tests.factories import user_make, user_with_role
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied

A = Action
SUBJECTS = [
    "anonymous",
    "unconfirmed",
    "citizen",
    "municipal_editor",
    "foi_officer",
    "provincial_admin",
    "superuser",
    "editor_read_token",
    "editor_write_token",
]

# (own, other) for each subject and action. Y = allowed, N = denied.
Y, N = True, False
EXPECTED = {
    "anonymous": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (N, N),
        A.EDIT_MUNICIPALITY: (N, N),
        A.MANAGE_CATALOG: (N, N),
        A.VIEW_CATALOG_DRAFTS: (N, N),
        A.MANAGE_FOI: (N, N),
        A.VIEW_FOI_PRIVATE: (N, N),
        A.VIEW_AUDIT: (N, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
    # Signed up, e-mail not confirmed; holds an editor role in La Plata granted to its address,
    # which must not work until the address is proven.
    "unconfirmed": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (N, N),
        A.EDIT_MUNICIPALITY: (N, N),
        A.MANAGE_CATALOG: (N, N),
        A.VIEW_CATALOG_DRAFTS: (N, N),
        A.MANAGE_FOI: (N, N),
        A.VIEW_FOI_PRIVATE: (N, N),
        A.VIEW_AUDIT: (N, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
    "citizen": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (Y, Y),
        A.EDIT_MUNICIPALITY: (N, N),
        A.MANAGE_CATALOG: (N, N),
        A.VIEW_CATALOG_DRAFTS: (N, N),
        A.MANAGE_FOI: (N, N),
        A.VIEW_FOI_PRIVATE: (N, N),
        A.VIEW_AUDIT: (N, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
    "municipal_editor": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (Y, Y),
        A.EDIT_MUNICIPALITY: (Y, N),
        A.MANAGE_CATALOG: (Y, N),
        A.VIEW_CATALOG_DRAFTS: (Y, N),
        A.MANAGE_FOI: (N, N),
        A.VIEW_FOI_PRIVATE: (N, N),
        A.VIEW_AUDIT: (Y, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
    "foi_officer": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (Y, Y),
        A.EDIT_MUNICIPALITY: (N, N),
        A.MANAGE_CATALOG: (N, N),
        A.VIEW_CATALOG_DRAFTS: (N, N),
        A.MANAGE_FOI: (Y, N),
        A.VIEW_FOI_PRIVATE: (Y, N),
        A.VIEW_AUDIT: (Y, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
    "provincial_admin": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (Y, Y),
        A.EDIT_MUNICIPALITY: (Y, Y),
        A.MANAGE_CATALOG: (Y, Y),
        A.VIEW_CATALOG_DRAFTS: (Y, Y),
        A.MANAGE_FOI: (Y, Y),
        A.VIEW_FOI_PRIVATE: (Y, Y),
        A.VIEW_AUDIT: (Y, Y),
        A.VIEW_MEMBERS: (Y, Y),
        A.MANAGE_MEMBERS: (Y, Y),
        A.MANAGE_TERRITORY: (Y, Y),
        A.REVIEW_INDEX: (Y, Y),
    },
    "superuser": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (Y, Y),
        A.EDIT_MUNICIPALITY: (Y, Y),
        A.MANAGE_CATALOG: (Y, Y),
        A.VIEW_CATALOG_DRAFTS: (Y, Y),
        A.MANAGE_FOI: (Y, Y),
        A.VIEW_FOI_PRIVATE: (Y, Y),
        A.VIEW_AUDIT: (Y, Y),
        A.VIEW_MEMBERS: (Y, Y),
        A.MANAGE_MEMBERS: (Y, Y),
        A.MANAGE_TERRITORY: (Y, Y),
        A.REVIEW_INDEX: (Y, Y),
    },
    # The editor's token with only the read scope: reads what the editor may read, writes nothing.
    "editor_read_token": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (N, N),
        A.EDIT_MUNICIPALITY: (N, N),
        A.MANAGE_CATALOG: (N, N),
        A.VIEW_CATALOG_DRAFTS: (Y, N),
        A.MANAGE_FOI: (N, N),
        A.VIEW_FOI_PRIVATE: (N, N),
        A.VIEW_AUDIT: (Y, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
    # The editor's token with only the write scope: everything the editor may do (write implies read).
    "editor_write_token": {
        A.VIEW_PUBLIC: (Y, Y),
        A.PARTICIPATE: (Y, Y),
        A.EDIT_MUNICIPALITY: (Y, N),
        A.MANAGE_CATALOG: (Y, N),
        A.VIEW_CATALOG_DRAFTS: (Y, N),
        A.MANAGE_FOI: (N, N),
        A.VIEW_FOI_PRIVATE: (N, N),
        A.VIEW_AUDIT: (Y, N),
        A.VIEW_MEMBERS: (N, N),
        A.MANAGE_MEMBERS: (N, N),
        A.MANAGE_TERRITORY: (N, N),
        A.REVIEW_INDEX: (N, N),
    },
}

# Whether the subject may take each action without naming a municipality (province-wide).
EXPECTED_PROVINCE_WIDE = {
    "anonymous": {A.VIEW_PUBLIC},
    "unconfirmed": {A.VIEW_PUBLIC},
    "citizen": {A.VIEW_PUBLIC, A.PARTICIPATE},
    "municipal_editor": {A.VIEW_PUBLIC, A.PARTICIPATE},
    "foi_officer": {A.VIEW_PUBLIC, A.PARTICIPATE},
    "provincial_admin": set(Action),
    "superuser": set(Action),
    "editor_read_token": {A.VIEW_PUBLIC},
    "editor_write_token": {A.VIEW_PUBLIC, A.PARTICIPATE},
}


def _token_actor(user, scopes: list[str]) -> Actor:
    """An actor exactly as the API builds it from a token secret."""
    _token, secret = services.api_token_create(user=user, name="matriz", scopes=scopes, by=Actor.for_user(user))
    return actor_from_token(_FakeRequest(), secret)


class _FakeRequest:
    META = {"REMOTE_ADDR": "127.0.0.1"}


def _subject(name: str, municipality, editor, foi_officer, provincial_admin, citizen) -> Actor:
    if name == "anonymous":
        return Actor.anonymous()
    if name == "unconfirmed":
        user = user_with_role(Role.MUNICIPAL_EDITOR, municipality, confirmed=False, email="nueva@example.org")
        return Actor.for_user(user)
    if name == "superuser":
        return Actor.for_user(user_make(email="root@example.org", is_superuser=True, is_staff=True))
    if name == "editor_read_token":
        return _token_actor(editor, [TokenScope.READ])
    if name == "editor_write_token":
        return _token_actor(editor, [TokenScope.WRITE])
    users = {
        "citizen": citizen,
        "municipal_editor": editor,
        "foi_officer": foi_officer,
        "provincial_admin": provincial_admin,
    }
    return Actor.for_user(users[name])


@pytest.fixture
def subject_of(municipality, editor, foi_officer, provincial_admin, citizen):
    return lambda name: _subject(name, municipality, editor, foi_officer, provincial_admin, citizen)


def test_permission_matrix_covers_every_subject_and_action():
    assert set(EXPECTED) == set(SUBJECTS) == set(EXPECTED_PROVINCE_WIDE)
    for name, row in EXPECTED.items():
        assert set(row) == set(Action), f"{name} is missing actions: {set(Action) - set(row)}"


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("where", ["own", "other"])
def test_permission_matrix_can(subject_of, municipality, other_municipality, subject, action, where):
    actor = subject_of(subject)
    place = municipality if where == "own" else other_municipality
    expected = EXPECTED[subject][action][0 if where == "own" else 1]
    assert permissions.can(actor, action, place) is expected, f"{subject} {action} {where}"
    if expected:
        permissions.require(actor, action, place)
    else:
        with pytest.raises(PermissionDenied) as excinfo:
            permissions.require(actor, action, place)
        assert excinfo.value.message, "a denial must say why"


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("action", list(Action))
def test_permission_matrix_province_wide(subject_of, subject, action):
    actor = subject_of(subject)
    assert permissions.can(actor, action) is (action in EXPECTED_PROVINCE_WIDE[subject]), f"{subject} {action}"


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("action", [A.EDIT_MUNICIPALITY, A.MANAGE_FOI, A.VIEW_AUDIT, A.MANAGE_TERRITORY])
def test_municipalities_where_agrees_with_can(subject_of, municipality, other_municipality, subject, action):
    actor = subject_of(subject)
    expected = {
        m.slug
        for m, allowed in zip((municipality, other_municipality), EXPECTED[subject][action], strict=True)
        if allowed
    }
    assert set(permissions.municipalities_where(actor, action).values_list("slug", flat=True)) == expected


def test_require_explains_each_kind_of_denial(municipality, other_municipality, editor):
    with pytest.raises(permissions.Unauthenticated, match="ingresar con tu cuenta"):
        permissions.require(Actor.anonymous(), A.PARTICIPATE)
    with pytest.raises(PermissionDenied, match="Bahía Blanca"):
        permissions.require(Actor.for_user(editor), A.EDIT_MUNICIPALITY, other_municipality)
    with pytest.raises(PermissionDenied, match="«write»"):
        permissions.require(_token_actor(editor, [TokenScope.READ]), A.EDIT_MUNICIPALITY, municipality)
    unconfirmed = user_make(email="sinconfirmar@example.org", confirmed=False)
    with pytest.raises(PermissionDenied, match="confirmá tu correo"):
        permissions.require(Actor.for_user(unconfirmed), A.PARTICIPATE)


def test_inactive_user_and_system_actor(municipality, editor):
    editor.is_active = False
    editor.save()
    assert not permissions.can(Actor.for_user(editor), A.EDIT_MUNICIPALITY, municipality)
    assert permissions.can(Actor.system("test"), A.MANAGE_TERRITORY)


def test_roles_take_effect_once_the_email_is_confirmed(municipality):
    user = user_with_role(Role.MUNICIPAL_EDITOR, municipality, confirmed=False)
    assert not permissions.can(Actor.for_user(user), A.EDIT_MUNICIPALITY, municipality)
    user.email_confirmed_at = user.date_joined
    user.save()
    assert permissions.can(Actor.for_user(user), A.EDIT_MUNICIPALITY, municipality)
    assert Membership.objects.filter(user=user).count() == 1


# --- the same rules through the interfaces that exist today ---------------------------------

EDIT_POST = {"intro": "Presupuesto y compras, al día.", "primary_color": "#204060", "enabled_modules": ["catalog"]}


def _edit_url(m):
    return reverse("portal:municipality_edit", kwargs={"municipality_slug": m.slug})


@pytest.mark.parametrize(
    ("who", "where", "allowed"),
    [
        ("editor", "own", True),
        ("editor", "other", False),
        ("foi_officer", "own", False),
        ("citizen", "own", False),
        ("provincial_admin", "other", True),
    ],
)
def test_edit_page_follows_the_matrix(client, request, municipality, other_municipality, who, where, allowed):
    place = municipality if where == "own" else other_municipality
    client.force_login(request.getfixturevalue(who))
    page = client.get(_edit_url(place))
    response = client.post(_edit_url(place), EDIT_POST)
    place.refresh_from_db()
    if allowed:
        assert page.status_code == 200
        assert 'name="intro"' in page.content.decode()
        assert response.status_code == 302
        assert response["Location"] == place.get_absolute_url()
        assert "Presupuesto y compras, al día." in client.get(place.get_absolute_url()).content.decode()
    else:
        assert page.status_code == 403
        assert "No tenés permiso" in page.content.decode()
        assert response.status_code == 403
        assert place.intro != EDIT_POST["intro"]


def test_edit_page_sends_anonymous_visitors_to_login(client, municipality):
    for response in (client.get(_edit_url(municipality)), client.post(_edit_url(municipality), EDIT_POST)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    municipality.refresh_from_db()
    assert municipality.intro == ""


def test_edit_page_refuses_an_unconfirmed_editor(client, municipality):
    user = user_with_role(Role.MUNICIPAL_EDITOR, municipality, confirmed=False)
    client.force_login(user)
    response = client.get(_edit_url(municipality))
    assert response.status_code == 403
    assert "confirmá tu correo" in response.content.decode()


def _api_url(m):
    return f"/api/v1/municipalities/{m.slug}"


def _patch(client, url, data, secret=None):
    headers = {"Authorization": f"Token {secret}"} if secret else {}
    return client.patch(url, data, content_type="application/json", headers=headers)


def test_rest_patch_own_municipality_with_write_token(client, editor, municipality):
    _token, secret = services.api_token_create(
        user=editor, name="script", scopes=[TokenScope.WRITE], by=Actor.for_user(editor)
    )
    response = _patch(client, _api_url(municipality), {"intro": "Hola desde la API"}, secret)
    assert response.status_code == 200, response.content
    assert response.json()["intro"] == "Hola desde la API"
    assert client.get(_api_url(municipality)).json()["intro"] == "Hola desde la API"


def test_rest_patch_other_municipality_is_forbidden(client, editor, other_municipality):
    _token, secret = services.api_token_create(
        user=editor, name="script", scopes=[TokenScope.WRITE], by=Actor.for_user(editor)
    )
    response = _patch(client, _api_url(other_municipality), {"intro": "no"}, secret)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "Bahía Blanca" in response.json()["error"]["message"]
    other_municipality.refresh_from_db()
    assert other_municipality.intro == ""


def test_rest_patch_with_read_token_is_forbidden(client, editor, municipality):
    _token, secret = services.api_token_create(
        user=editor, name="lectura", scopes=[TokenScope.READ], by=Actor.for_user(editor)
    )
    response = _patch(client, _api_url(municipality), {"intro": "no"}, secret)
    assert response.status_code == 403
    assert "«write»" in response.json()["error"]["message"]
    municipality.refresh_from_db()
    assert municipality.intro == ""


def test_rest_patch_anonymous_is_unauthenticated(client, municipality):
    response = _patch(client, _api_url(municipality), {"intro": "no"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_rest_patch_with_session_follows_the_matrix(client, editor, municipality, other_municipality):
    client.force_login(editor)
    assert _patch(client, _api_url(municipality), {"intro": "Sesión"}).status_code == 200
    assert _patch(client, _api_url(other_municipality), {"intro": "Sesión"}).status_code == 403
    municipality.refresh_from_db()
    other_municipality.refresh_from_db()
    assert (municipality.intro, other_municipality.intro) == ("Sesión", "")
