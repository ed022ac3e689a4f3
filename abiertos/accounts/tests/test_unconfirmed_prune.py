from datetime import timedelta

import pytest
from django.utils import timezone

from abiertos.accounts.models import Membership, Role, User
from abiertos.accounts.services import unconfirmed_accounts_prune
from abiertos.core.models import AuditEvent

from .factories import user_make

pytestmark = pytest.mark.django_db


def _joined(user, days_ago):
    user.date_joined = timezone.now() - timedelta(days=days_ago)
    user.save(update_fields=["date_joined"])
    return user


def test_old_unconfirmed_sign_ups_are_deleted_and_audited(settings):
    settings.UNCONFIRMED_ACCOUNT_DAYS = 14
    stale = _joined(user_make(email="olvidada@example.org", confirmed=False), 20)
    fresh = _joined(user_make(email="reciente@example.org", confirmed=False), 3)
    confirmed = _joined(user_make(email="confirmada@example.org"), 60)

    assert unconfirmed_accounts_prune() == 1

    assert not User.objects.filter(pk=stale.pk).exists()
    assert User.objects.filter(pk__in=[fresh.pk, confirmed.pk]).count() == 2
    event = AuditEvent.objects.get(action="user.unconfirmed_deleted")
    assert event.changes["email"] == "olvidada@example.org"
    assert event.changes["days"] == 14


def test_accounts_that_hold_something_are_kept(settings, municipality):
    settings.UNCONFIRMED_ACCOUNT_DAYS = 14
    with_role = _joined(user_make(email="rol@example.org", confirmed=False), 30)
    Membership.objects.create(user=with_role, role=Role.MUNICIPAL_EDITOR, municipality=municipality)
    signed_in = _joined(user_make(email="entro@example.org", confirmed=False), 30)
    signed_in.last_login = timezone.now() - timedelta(days=29)
    signed_in.save(update_fields=["last_login"])
    staff = _joined(user_make(email="staff@example.org", confirmed=False, is_staff=True), 30)

    assert unconfirmed_accounts_prune() == 0
    assert User.objects.filter(pk__in=[with_role.pk, signed_in.pk, staff.pk]).count() == 3


def test_zero_days_keeps_every_account(settings):
    settings.UNCONFIRMED_ACCOUNT_DAYS = 0
    _joined(user_make(confirmed=False), 400)
    assert unconfirmed_accounts_prune() == 0
    assert User.objects.count() == 1
