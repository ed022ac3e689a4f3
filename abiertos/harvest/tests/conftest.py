import pytest

from .servers import LocalServer


@pytest.fixture(autouse=True)
def _local_hosts_allowed(settings):
    """The test servers listen on 127.0.0.1, which production refuses (see hosts.py)."""
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.stop()
