import pytest

from .servers import LocalServer


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.stop()
