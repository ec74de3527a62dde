"""Alembic migrations, driven from code (`marketedge migrate`), batch mode on SQLite."""
