"""Fixtures for every test in the repository (apps, integration and browser tests)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """Each test starts in Spanish, whatever language an earlier test switched the thread to."""
    with translation.override("es-ar"):
        yield
