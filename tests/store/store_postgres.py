"""The PostgreSQL test server, and a fresh schema per test on it.

``PROCFLOW_TEST_POSTGRES`` names the server (default
``postgresql://postgres@127.0.0.1:5432/test``). When it does not answer, or
psycopg is not installed, :func:`postgres_url` skips the calling test with
the reason; with ``PROCFLOW_REQUIRE_POSTGRES=1`` (CI) it fails it instead,
so a missing server can never turn into a green run that tested nothing.

Used by the store tests and, through ``sys.path``, by the engine's
PostgreSQL worker tests; a unique module name keeps it importable from both.
"""

from __future__ import annotations

import functools
import os
import uuid
from typing import Any

import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


@functools.cache
def _probe(url: str) -> str | None:
    """None if ``url`` answers, else why not (checked once per test run)."""
    try:
        import psycopg
        import psycopg_pool  # noqa: F401  (the store needs it too)
    except ImportError as exc:
        return f"psycopg 3 / psycopg-pool are not installed ({exc}); pip install -e '.[test]'"
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL server answers at {url}: {' '.join(str(exc).split())}"
    return None


def postgres_url() -> str:
    """The test server's URL; skips (or, if required, fails) the test when it is not there."""
    url = os.environ.get("PROCFLOW_TEST_POSTGRES") or DEFAULT_URL
    reason = _probe(url)
    if reason is not None:
        if os.environ.get("PROCFLOW_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PROCFLOW_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
        pytest.skip(f"{reason} (set PROCFLOW_TEST_POSTGRES to a server to run these)")
    return url


class PostgresSchema:
    """A uniquely named schema on the test server: each test's own database, in effect."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.name = f"pf_test_{uuid.uuid4().hex[:16]}"
        sep = "&" if "?" in server_url else "?"
        self.url = f"{server_url}{sep}schema={self.name}"
        """A store URL (``open_store``/``open_engine``) for this schema."""

    def open(self, **kwargs: Any) -> Any:
        from procflow.store.postgres import PostgresStore

        kwargs.setdefault("pool_size", 2)
        return PostgresStore(self.server_url, schema=self.name, **kwargs)

    def connect(self) -> Any:
        """A raw psycopg connection (autocommit) whose search_path is this schema."""
        import psycopg

        return psycopg.connect(
            self.server_url, autocommit=True, options=f"-c search_path={self.name}"
        )

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")
