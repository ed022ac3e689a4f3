"""Fixtures for every test in the repository (apps, integration and browser tests)."""

import importlib

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """Each test starts in Spanish, whatever language an earlier test switched the thread to."""
    with translation.override("es-ar"):
        yield


@pytest.fixture(autouse=True)
def _default_theme_taxonomy(request):
    """The theme taxonomy comes from a data migration; a transactional test elsewhere in the same
    process flushes every table after it runs, so put the taxonomy back for database tests."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
        request.getfixturevalue("transactional_db" if transactional else "db")
        from abiertos.catalog.models import Theme

        if not Theme.objects.exists():
            migration = importlib.import_module("abiertos.catalog.migrations.0002_default_themes")
            Theme.objects.bulk_create(Theme(identifier=i, label=label) for i, label in migration.THEMES)
