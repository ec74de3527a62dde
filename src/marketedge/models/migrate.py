"""Apply, revert and inspect the schema migrations from code (no alembic.ini needed).

Alembic is imported only to migrate: checking that a database is current (every start-up) reads its
`alembic_version` row and compares it with HEAD, which a test keeps equal to the newest migration."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from marketedge.core.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest revision under migrations/versions (tests/test_migrations.py checks it against Alembic's own).
HEAD = "20261206_0040_market_calendar"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("marketedge") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.set_main_option("path_separator", "os")
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str | None:
    """The newest revision as Alembic reads the migration scripts (slow: parses them all)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def schema_state(database_url: str) -> tuple[str | None, bool]:
    """(current revision, database has no tables at all), with one small query and no Alembic."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:

            def _read(sync_conn):  # type: ignore[no-untyped-def]
                tables = inspect(sync_conn).get_table_names()
                if "alembic_version" not in tables:
                    return None, not tables
                revision = sync_conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                return revision, False

            return await conn.run_sync(_read)
    finally:
        await engine.dispose()
