import pytest


@pytest.fixture(autouse=True)
def _jobs_keep_the_test_connection(monkeypatch):
    # job_execute starts with close_old_connections(), which on PostgreSQL closes the connection
    # holding the test's transaction (autocommit differs from the settings inside it); SQLite's
    # in-memory test database ignores the close. Jobs run inline in tests, so keep the connection.
    monkeypatch.setattr("abiertos.jobs.runner.close_old_connections", lambda: None)
