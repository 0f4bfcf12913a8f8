"""Fixtures shared by the channel tests (HTTP: ``api``, ``make_api``; see http_fixtures.py)."""
from tests.channels.http_fixtures import api, make_api  # noqa: F401  (fixtures)
