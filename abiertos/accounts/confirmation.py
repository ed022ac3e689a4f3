"""Signed, expiring links that prove a person reads the mailbox they signed up with.

The link carries the user's id and e-mail address, signed with SECRET_KEY: changing the
address invalidates older links, and nothing needs to be stored to check one.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

SALT = "abiertos.accounts.email_confirm"
MAX_AGE = timedelta(days=3)


class LinkExpired(ValidationError):
    code = "link_expired"


def confirmation_token_make(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email}, salt=SALT, compress=True)


def confirmation_token_read(token: str) -> tuple[int, str]:
    """The (user id, e-mail) a token was made for; LinkExpired or ValidationError otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired(
            _("El enlace de confirmación venció: vale %(days)d días. Pedí uno nuevo.") % {"days": MAX_AGE.days}
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(
            _("El enlace de confirmación no es válido. Revisá que esté completo o pedí uno nuevo.")
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) or not payload.get("e"):
        raise ValidationError(_("El enlace de confirmación no es válido. Pedí uno nuevo."))
    return payload["u"], payload["e"]
