import pytest


@pytest.fixture(autouse=True)
def _isolated_datastore(settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
