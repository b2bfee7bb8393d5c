"""Schema migrations: MIGRATIONS[n] upgrades a version n-1 database to version n.

data/schema.sql always creates the latest version directly; a migration is added together with the
matching change to schema.sql, and tests/test_migrations.py checks that both paths give the same tables.
"""

from collections.abc import Mapping

BASE_VERSION = 1
"""The version data/schema.sql created first; migrations start after it."""

MIGRATIONS: dict[int, str] = {}


def latest_version(steps: Mapping[int, str] | None = None) -> int:
    """The newest schema version: the base plus the migrations after it."""
    steps = MIGRATIONS if steps is None else steps
    expected = list(range(BASE_VERSION + 1, BASE_VERSION + 1 + len(steps)))
    if sorted(steps) != expected:
        raise ValueError(f"migrations must be numbered {expected}, got {sorted(steps)}")
    return BASE_VERSION + len(steps)
