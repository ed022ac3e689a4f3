"""Users with roles, for tests."""

import itertools

from django.utils import timezone

from abiertos.accounts.models import Membership, Role, User
from abiertos.core.actors import Actor

_seq = itertools.count(1)
PASSWORD = "clave-de-prueba-segura-123"


def user_make(*, email: str | None = None, confirmed: bool = True, **extra) -> User:
    email = email or f"persona{next(_seq)}@example.org"
    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    if confirmed:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def user_with_role(role: str, municipality=None, **extra) -> User:
    user = user_make(**extra)
    Membership.objects.create(
        user=user, role=role, municipality=None if role == Role.PROVINCIAL_ADMIN else municipality
    )
    return user


def actor_of(user, **kwargs) -> Actor:
    return Actor.for_user(user, **kwargs)
