"""The e-mails accounts send, rendered in the recipient's language (Spanish by default)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .confirmation import MAX_AGE, confirmation_token_make
from .models import User


def _send(*, user: User, template: str, context: dict) -> None:
    language = user.preferred_language or settings.LANGUAGE_CODE
    context = {"user": user, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])


def confirmation_link(user: User) -> str:
    token = confirmation_token_make(user_id=user.pk, email=user.email)
    return settings.SITE_URL + reverse("accounts:email_confirm", kwargs={"token": token})


def confirmation_email_send(user: User) -> None:
    """Send the link that confirms the user's e-mail address."""
    _send(user=user, template="confirm", context={"link": confirmation_link(user), "days": MAX_AGE.days})


def account_exists_email_send(user: User) -> None:
    """Tell an existing account that someone tried to sign up again with its address."""
    context = {
        "login_link": settings.SITE_URL + reverse("accounts:login"),
        "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    _send(user=user, template="account_exists", context=context)
