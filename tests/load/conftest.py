"""The load test runs against the same production set-up as tests/app/test_instances.py: nginx in front of two
gunicorn instances over one database and one Redis."""

from tests.app.test_instances import instances, nginx  # noqa: F401  (fixtures shared with the instance tests)
