"""Personal API tokens: created on the profile page or the API, shown once, hashed, revocable,
scoped, with their last use; sent the ways real clients send them."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from abiertos.accounts import services, tokens
from abiertos.accounts.models import ApiToken, TokenScope
from abiertos.accounts.tests.factories import user_make
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied, ValidationError
from abiertos.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _token(user, scopes=("read",), name="script"):
    return services.api_token_create(user=user, name=name, scopes=list(scopes), by=Actor.for_user(user))


# --- profile page --------------------------------------------------------------------------


def test_profile_shows_roles_and_tokens_with_last_use(client, editor):
    token, _secret = _token(editor, name="tablero")
    last_used = timezone.now() - timedelta(days=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=last_used)
    client.force_login(editor)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Edición municipal" in html
    assert "La Plata" in html
    assert "tablero" in html
    assert f"<code>{token.prefix}…</code>" in html
    assert timezone.localtime(token.created_at).strftime("%d/%m/%Y") in html
    assert f"<td>{timezone.localtime(last_used).strftime('%d/%m/%Y %H:%M')}</td>" in html


def test_profile_creates_a_token_and_shows_the_secret_once(client, editor):
    client.force_login(editor)
    response = client.post(reverse("accounts:token_create"), {"name": "carga nocturna", "scopes": ["read", "write"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'id="new-token" readonly value="(ma_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=editor)
    assert (token.name, token.scopes) == ("carga nocturna", ["read", "write"])
    assert token.token_hash == tokens.token_hash(secret)
    assert secret not in str(ApiToken.objects.values().get())
    assert secret not in client.get(reverse("accounts:profile")).content.decode()
    assert AuditEvent.objects.filter(action="api_token.create", target_id=str(token.pk)).exists()


def test_profile_token_form_errors_are_spanish(client, editor):
    client.force_login(editor)
    response = client.post(reverse("accounts:token_create"), {"name": "", "scopes": []})
    assert response.status_code == 400
    assert "Hay datos para revisar" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_profile_revokes_a_token(client, editor):
    token, secret = _token(editor)
    client.force_login(editor)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "Revocaste el token «script». Ya no funciona." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", target_id=str(token.pk)).exists()
    assert services.api_token_authenticate(secret) is None


def test_nobody_revokes_someone_elses_token_from_the_page(client, editor, citizen):
    token, _secret = _token(editor)
    client.force_login(citizen)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- REST, with the headers real clients send ---------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        lambda s: {"Authorization": f"Token {s}"},
        lambda s: {"Authorization": f"Bearer {s}"},
        lambda s: {"Authorization": s},
        lambda s: {"X-CKAN-API-Key": s},
    ],
    ids=["token", "bearer", "raw", "ckan"],
)
def test_me_with_token_in_each_header(client, editor, header):
    token, secret = _token(editor)
    response = client.get("/api/v1/me", headers=header(secret))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["email"] == "editor@example.org"
    assert body["token_scopes"] == ["read"]
    assert body["memberships"] == [{"role": "municipal_editor", "municipality": "la-plata"}]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_me_anonymous_is_401_with_error_body(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "autenticarte" in error["message"]


@pytest.mark.parametrize("secret", ["ma_inventado", "no-es-un-token", "ma_"])
def test_invalid_token_is_401(client, citizen, secret):
    response = client.get("/api/v1/me", headers={"Authorization": f"Token {secret}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert "no es válido" in response.json()["error"]["message"]


def test_revoked_and_expired_tokens_are_401(client, editor):
    revoked, revoked_secret = _token(editor, name="viejo")
    services.api_token_revoke(token=revoked, by=Actor.for_user(editor))
    expired, expired_secret = _token(editor, name="vencido")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for secret in (revoked_secret, expired_secret):
        response = client.get("/api/v1/me", headers={"Authorization": f"Token {secret}"})
        assert response.status_code == 401, secret


def test_token_of_a_deactivated_user_is_401(client, editor):
    _token_row, secret = _token(editor)
    editor.is_active = False
    editor.save()
    assert client.get("/api/v1/me", headers={"X-CKAN-API-Key": secret}).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(editor):
    token, secret = _token(editor)
    services.api_token_authenticate(secret)
    token.refresh_from_db()
    first = token.last_used_at
    services.api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=5))
    services.api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=5)


def test_rest_token_create_list_revoke(client, editor):
    _t, write_secret = _token(editor, scopes=["read", "write"], name="admin-script")
    auth = {"Authorization": f"Token {write_secret}"}
    created = client.post(
        "/api/v1/me/tokens", {"name": "lector", "scopes": ["read"]}, content_type="application/json", headers=auth
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("ma_")
    assert body["scopes"] == ["read"]
    listed = client.get("/api/v1/me/tokens", headers=auth).json()
    assert {t["name"] for t in listed} == {"admin-script", "lector"}
    assert all("secret" not in t and "token_hash" not in t for t in listed)
    revoked = client.delete(f"/api/v1/me/tokens/{body['id']}", headers=auth)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Token {body['secret']}"}).status_code == 401


def test_read_token_cannot_mint_or_revoke_tokens(client, editor):
    read_token, read_secret = _token(editor, scopes=["read"])
    auth = {"Authorization": f"Token {read_secret}"}
    response = client.post(
        "/api/v1/me/tokens", {"name": "escalar", "scopes": ["write"]}, content_type="application/json", headers=auth
    )
    assert response.status_code == 403
    assert "«write»" in response.json()["error"]["message"]
    assert client.delete(f"/api/v1/me/tokens/{read_token.pk}", headers=auth).status_code == 403
    assert ApiToken.objects.filter(user=editor).count() == 1


def test_token_cannot_mint_wider_token(editor):
    _t, secret = _token(editor, scopes=["write"])
    from abiertos.accounts.request_actor import actor_from_token

    class _Req:
        META = {"REMOTE_ADDR": ""}

    actor = actor_from_token(_Req(), secret)
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(user=editor, name="más", scopes=["read", "write"], by=actor)
    assert "más permisos" in excinfo.value.fields["scopes"][0]


def test_rest_token_create_validates_in_spanish(client, editor):
    client.force_login(editor)
    response = client.post("/api/v1/me/tokens", {"name": " ", "scopes": ["admin"]}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"name", "scopes"}


def test_someone_elses_token_cannot_be_revoked_by_api(client, editor, citizen):
    token, _secret = _token(editor)
    _t, citizen_secret = _token(citizen, scopes=["write"])
    response = client.delete(f"/api/v1/me/tokens/{token.pk}", headers={"Authorization": f"Token {citizen_secret}"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_admins_create_tokens_for_others(editor, citizen, provincial_admin):
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=editor, name="x", scopes=["read"], by=Actor.for_user(citizen))
    token, _secret = services.api_token_create(
        user=editor, name="x", scopes=[TokenScope.READ], by=Actor.for_user(provincial_admin)
    )
    assert token.user == editor


def test_unconfirmed_users_token_authenticates_but_cannot_act(client, municipality):
    user = user_make(email="nuevo@example.org", confirmed=False)
    _t, secret = _token(user, scopes=["write"])
    auth = {"Authorization": f"Token {secret}"}
    assert client.get("/api/v1/me", headers=auth).json()["email_confirmed"] is False
    response = client.patch(
        f"/api/v1/municipalities/{municipality.slug}", {"intro": "x"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 403


def test_profile_token_expiry_choice(client, editor):
    client.force_login(editor)
    client.post(reverse("accounts:token_create"), {"name": "trimestral", "scopes": ["read"], "expires_in_days": "90"})
    client.post(reverse("accounts:token_create"), {"name": "eterno", "scopes": ["read"], "expires_in_days": ""})
    quarterly, forever = ApiToken.objects.get(name="trimestral"), ApiToken.objects.get(name="eterno")
    assert timedelta(days=89) < quarterly.expires_at - timezone.now() <= timedelta(days=90)
    assert forever.expires_at is None
    html = client.get(reverse("accounts:profile")).content.decode()
    assert timezone.localtime(quarterly.expires_at).strftime("%d/%m/%Y") in html
    assert "no vence" in html


def test_rest_token_expiry_is_validated(client, editor):
    client.force_login(editor)
    ok = client.post(
        "/api/v1/me/tokens",
        {"name": "corto", "scopes": ["read"], "expires_in_days": 7},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert ok.json()["expires_at"] is not None
    bad = client.post(
        "/api/v1/me/tokens", {"name": "raro", "scopes": ["read"], "expires_in_days": 0}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "expires_in_days" in bad.json()["error"]["fields"]
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(
            user=editor, name="pasado", scopes=["read"], by=Actor.for_user(editor), expires_at=timezone.now()
        )
    assert excinfo.value.fields["expires_at"] == ["El vencimiento tiene que ser una fecha futura."]
