"""Apply, revert and inspect the schema migrations from code (no alembic.ini needed)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from marketedge.db import make_engine


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("marketedge") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    cfg.set_main_option("path_separator", "os")
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def schema_state(database_url: str) -> tuple[str | None, bool]:
    """(current revision, database has no tables at all)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:

            def _read(sync_conn):  # type: ignore[no-untyped-def]
                tables = inspect(sync_conn).get_table_names()
                return MigrationContext.configure(sync_conn).get_current_revision(), not tables

            return await conn.run_sync(_read)
    finally:
        await engine.dispose()
