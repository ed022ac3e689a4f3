"""Sign-up, e-mail confirmation and resending the link, as a person goes through them."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse

from abiertos.accounts import confirmation, forms, services
from abiertos.accounts.models import User
from abiertos.accounts.permissions import Action, can
from abiertos.accounts.tests.factories import PASSWORD, user_make
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


SIGNUP_URL = reverse("accounts:signup")


def _signup_data(**overrides):
    data = {
        "email": "Ana.Perez@Example.org",
        "full_name": "Ana Pérez",
        "organization": "Asociación Vecinal Tolosa",
        "password": "una-clave-bastante-larga-2026",
        "homepage": "",
        "started": forms.signup_started_sign(time.time() - 30),
    }
    data.update(overrides)
    return data


def _link_in(message) -> str:
    match = re.search(r"https?://\S+/cuentas/confirmar/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_signup_page_shows_the_form_with_honeypot_hidden(client):
    html = client.get(SIGNUP_URL).content.decode()
    assert 'name="email"' in html
    assert 'name="full_name"' in html
    assert 'name="organization"' in html
    assert 'autocomplete="new-password"' in html
    assert re.search(
        r'<div class="visually-hidden" aria-hidden="true">\s*<div class="field">\s*<label for="id_homepage"', html
    )
    assert 'type="hidden" name="started"' in html


def test_signup_creates_unconfirmed_user_and_mails_a_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, _signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="ana.perez@example.org")
    assert (user.full_name, user.organization, user.email_confirmed) == (
        "Ana Pérez",
        "Asociación Vecinal Tolosa",
        False,
    )
    assert user.check_password("una-clave-bastante-larga-2026")
    assert user.preferred_language == "es-ar"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.perez@example.org"]
    assert message.subject == "Confirmá tu correo en Municipios Abiertos"
    assert "Hola, Ana Pérez:" in message.body
    assert "vale 3 días" in message.body
    event = AuditEvent.objects.get(action="user.signup")
    assert event.target_id == str(user.pk)
    assert event.changes["organization"] == "Asociación Vecinal Tolosa"
    assert "Revisá tu correo" in client.get(response["Location"]).content.decode()


def test_following_the_link_confirms_the_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, _signup_data())
    response = client.get(_path(_link_in(mail.outbox[0])))
    assert response.status_code == 200
    assert "Confirmaste ana.perez@example.org" in response.content.decode()
    user = User.objects.get(email="ana.perez@example.org")
    assert user.email_confirmed
    assert can(Actor.for_user(user), Action.PARTICIPATE)
    assert AuditEvent.objects.filter(action="user.email_confirm", target_id=str(user.pk)).count() == 1
    # A second click changes nothing and records nothing more.
    assert client.get(_path(_link_in(mail.outbox[0]))).status_code == 200
    assert AuditEvent.objects.filter(action="user.email_confirm").count() == 1


def test_unconfirmed_user_can_log_in_but_not_participate(client):
    user = user_make(email="pendiente@example.org", confirmed=False)
    response = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Todavía no confirmaste tu correo" in response.content.decode()
    assert response.context["user"] == user
    assert not can(Actor.for_user(user), Action.PARTICIPATE)


def test_expired_link_offers_to_resend(client, django_capture_on_commit_callbacks, monkeypatch):
    user = user_make(email="tarde@example.org", confirmed=False)
    # A link made just over three days ago.
    earlier = time.time() - confirmation.MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: earlier)
    token = confirmation.confirmation_token_make(user_id=user.pk, email=user.email)
    monkeypatch.undo()
    response = client.get(reverse("accounts:email_confirm", kwargs={"token": token}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "El enlace venció" in html
    assert "vale 3 días" in html
    assert f'action="{reverse("accounts:email_confirm_resend")}"' in html
    user.refresh_from_db()
    assert not user.email_confirmed
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("accounts:email_confirm_resend"), {"email": user.email})
    assert "te mandamos un enlace nuevo" in sent.content.decode()
    assert len(mail.outbox) == 1
    assert client.get(_path(_link_in(mail.outbox[0]))).status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed


def test_tampered_link_is_refused(client):
    user = user_make(email="otra@example.org", confirmed=False)
    token = confirmation.confirmation_token_make(user_id=user.pk, email=user.email)
    response = client.get(reverse("accounts:email_confirm", kwargs={"token": token[:-2] + "xx"}))
    assert response.status_code == 400
    assert "El enlace no es válido" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_confirmed


def test_link_for_an_old_address_is_refused(client):
    user = user_make(email="vieja@example.org", confirmed=False)
    token = confirmation.confirmation_token_make(user_id=user.pk, email=user.email)
    user.email = "nueva@example.org"
    user.save()
    response = client.get(reverse("accounts:email_confirm", kwargs={"token": token}))
    assert response.status_code == 400
    assert "no corresponde a ninguna cuenta" in response.content.decode()


def test_resend_is_limited_and_does_not_reveal_accounts(client, django_capture_on_commit_callbacks):
    user = user_make(email="repite@example.org", confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.user_confirmation_resend(email=user.email) is True
        assert services.user_confirmation_resend(email=user.email) is False
        nobody = client.post(reverse("accounts:email_confirm_resend"), {"email": "nadie@example.org"})
    assert len(mail.outbox) == 1
    assert "Si hay una cuenta sin confirmar" in nobody.content.decode()
    User.objects.filter(pk=user.pk).update(
        email_confirmation_sent_at=user.date_joined - services.CONFIRMATION_RESEND_INTERVAL - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.user_confirmation_resend(email=user.email) is True
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "1234567890", "contraseña"),
        ("password", "corta", "10"),
        ("full_name", "", "nombre y apellido"),
        ("email", "no-es-un-correo", "correo"),
    ],
)
def test_signup_rejects_bad_input_in_spanish(client, field, value, message):
    response = client.post(SIGNUP_URL, _signup_data(**{field: value}))
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e.lower() or message in e for e in errors), errors
    assert "Hay datos para revisar" in response.content.decode()
    assert not User.objects.exists()


def test_signup_password_similar_to_email_is_rejected(client):
    response = client.post(
        SIGNUP_URL, _signup_data(email="mariela.gonzalez.rios@example.org", password="mariela.gonzalez.rios")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.exists()


def test_signup_honeypot_and_fast_bots_are_refused(client):
    for data in (
        _signup_data(homepage="http://spam.example"),
        _signup_data(started=forms.signup_started_sign(time.time())),
        _signup_data(started="manipulado"),
        {k: v for k, v in _signup_data().items() if k != "started"},
    ):
        response = client.post(SIGNUP_URL, data)
        assert response.status_code == 400
        assert "Esperá unos segundos" in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_signup_with_existing_email_mails_the_owner_instead(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, _signup_data(email="VECINA@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    assert User.objects.filter(email="vecina@example.org").count() == 1
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Ya tenés una cuenta en Municipios Abiertos"
    assert "/cuentas/clave/restablecer/" in mail.outbox[0].body
    assert not AuditEvent.objects.filter(action="user.signup").exists()


def test_signed_in_people_are_sent_to_their_profile(client, citizen):
    client.force_login(citizen)
    response = client.get(SIGNUP_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_account_exists_notices_are_limited(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = client.post(SIGNUP_URL, _signup_data(email=citizen.email))
            assert response["Location"] == reverse("accounts:signup_done")
    assert len(mail.outbox) == 3


def test_user_signup_service_validates_the_email():
    with pytest.raises(ValidationError) as excinfo:
        services.user_signup(
            email="sin-arroba", full_name="X", organization="", password="una-clave-larga-2026", by=Actor.anonymous()
        )
    assert "email" in excinfo.value.fields
