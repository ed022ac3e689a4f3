"""Logging in and out, throttling, password reset and password change."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from abiertos.accounts.models import LoginAttempt, User
from abiertos.accounts.tasks import login_attempts_prune_task
from abiertos.accounts.tests.factories import PASSWORD, user_make
from abiertos.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


LOGIN_URL = reverse("accounts:login")
NEW_PASSWORD = "otra-clave-muy-segura-2027"


def _login(client, email, password, ip="10.0.0.1", **extra):
    return client.post(LOGIN_URL, {"email": email, "password": password, **extra}, REMOTE_ADDR=ip)


def test_login_with_right_password_lands_on_next(client, citizen):
    response = _login(client, "VECINA@example.org", PASSWORD, next="/cuentas/mi-cuenta/")
    assert response.status_code == 302
    assert response["Location"] == "/cuentas/mi-cuenta/"
    assert int(client.session["_auth_user_id"]) == citizen.pk


def test_login_ignores_next_pointing_elsewhere(client, citizen):
    response = _login(client, citizen.email, PASSWORD, next="https://malo.example/robar")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:province_home")


def test_login_with_wrong_password_says_so_and_records_failure(client, citizen):
    response = _login(client, citizen.email, "equivocada")
    assert response.status_code == 400
    assert "El correo o la contraseña no son correctos." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert list(LoginAttempt.objects.values_list("email", "ip")) == [("vecina@example.org", "10.0.0.1")]


def test_login_blocks_account_after_five_failures_in_fifteen_minutes(client, citizen):
    for _ in range(5):
        assert _login(client, citizen.email, "equivocada").status_code == 400
    # Even the right password, and from another address, is refused while blocked.
    response = _login(client, citizen.email, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "demasiados intentos fallidos" in response.content.decode()
    assert "Esperá 15 minutos" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Once the failures are older than the window, the account opens again.
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    response = _login(client, citizen.email, PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert not LoginAttempt.objects.filter(email=citizen.email).exists()


def test_login_four_failures_then_success_clears_the_count(client, citizen):
    for _ in range(4):
        _login(client, citizen.email, "equivocada")
    assert _login(client, citizen.email, PASSWORD).status_code == 302
    assert LoginAttempt.objects.count() == 0


def test_login_blocks_an_address_guessing_many_accounts(client, citizen):
    for n in range(20):
        _login(client, f"adivina{n}@example.org", "equivocada", ip="203.0.113.7")
    blocked = _login(client, citizen.email, PASSWORD, ip="203.0.113.7")
    assert blocked.status_code == 429
    assert "desde esta conexión" in blocked.content.decode()
    # The same person from another address is not affected.
    assert _login(client, citizen.email, PASSWORD, ip="198.51.100.1").status_code == 302


def test_inactive_user_cannot_log_in(client):
    user = user_make(email="baja@example.org", is_active=False)
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert "no son correctos" in response.content.decode()


def test_logout_only_by_post(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "Cerraste la sesión." in response.content.decode()


def test_login_page_links_to_reset_and_signup(client):
    html = client.get(LOGIN_URL).content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in html
    assert f'href="{reverse("accounts:signup")}"' in html


# --- password reset ------------------------------------------------------------------------


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/cuentas/clave/restablecer/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_email_end_to_end(client):
    user = user_make(email="olvido@example.org", confirmed=False)
    for _ in range(5):
        _login(client, user.email, "equivocada")
    response = client.post(reverse("accounts:password_reset"), {"email": "Olvido@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert "Si hay una cuenta con ese correo" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Restablecé tu contraseña en Municipios Abiertos"
    assert "Pediste restablecer la contraseña" in message.body
    # Django redirects the link to a URL without the token, then shows the form.
    page = client.get(_reset_link(message), follow=True)
    assert page.status_code == 200
    assert "Elegir una contraseña nueva" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link proves the mailbox, and clears the login block.
    assert user.email_confirmed
    assert AuditEvent.objects.filter(action="user.password_reset", target_id=str(user.pk)).exists()
    assert _login(client, user.email, NEW_PASSWORD).status_code == 302
    # The link works once.
    again = client.get(_reset_link(message), follow=True)
    assert "El enlace no es válido" in again.content.decode()


def test_password_reset_for_unknown_email_sends_nothing_but_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nadie@example.org"}, follow=True)
    assert "Si hay una cuenta con ese correo" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_rejects_weak_password(client, citizen):
    client.post(reverse("accounts:password_reset"), {"email": citizen.email})
    page = client.get(_reset_link(mail.outbox[0]), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()


# --- password change -----------------------------------------------------------------------


def test_password_change_needs_the_old_password_and_is_audited(client, citizen):
    client.force_login(citizen)
    url = reverse("accounts:password_change")
    wrong = client.post(url, {"old_password": "no", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["old_password"]
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert "Contraseña cambiada" in client.get(response["Location"]).content.decode()
    user = User.objects.get(pk=citizen.pk)
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_change", target_id=str(user.pk)).count() == 1


def test_password_change_requires_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_password_reset_emails_are_limited_per_address(client, citizen):
    for _ in range(5):
        response = client.post(reverse("accounts:password_reset"), {"email": citizen.email})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3
    assert all(m.to == [citizen.email] for m in mail.outbox)


def test_password_reset_explains_a_bad_address(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "sin-arroba"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Escribí un correo válido, por ejemplo nombre@dominio.com.ar."]
    assert mail.outbox == []


def test_old_failed_logins_are_pruned(citizen):
    LoginAttempt.objects.create(email=citizen.email, ip="10.0.0.1")
    old = LoginAttempt.objects.create(email=citizen.email, ip="10.0.0.2")
    LoginAttempt.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    login_attempts_prune_task.call_local()
    assert list(LoginAttempt.objects.values_list("ip", flat=True)) == ["10.0.0.1"]
