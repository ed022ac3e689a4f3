"""Fixtures shared by every app's tests."""

import pytest
from huey.contrib.djhuey import HUEY

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import actor_of, user_make, user_with_role
from abiertos.core.tests.factories import municipality_make


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_immediately():
    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CATALOG_CACHE_DIR = tmp_path / "catalog-cache"
    # Catalog services announce new files, and the datastore loads them: keep its tables here too.
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    # Hashing passwords properly is slow by design; tests do not need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def municipality(db):
    return municipality_make("La Plata", code="06441", slug="la-plata")


@pytest.fixture
def other_municipality(db):
    return municipality_make("Bahía Blanca", code="06056", slug="bahia-blanca")


@pytest.fixture
def provincial_admin(db):
    return user_with_role(Role.PROVINCIAL_ADMIN, email="provincia@example.org")


@pytest.fixture
def editor(municipality):
    return user_with_role(Role.MUNICIPAL_EDITOR, municipality, email="editor@example.org")


@pytest.fixture
def foi_officer(municipality):
    return user_with_role(Role.FOI_OFFICER, municipality, email="oficial@example.org")


@pytest.fixture
def citizen(db):
    return user_make(email="vecina@example.org")


@pytest.fixture
def actor():
    return actor_of
