"""market data

Revision ID: 20261125_0002
Revises: 20261125_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import marketedge.core.db

revision: str = "20261125_0002"
down_revision: str | None = "20261125_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_minute",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("minute", marketedge.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("spot", sa.Float(), nullable=False),
        sa.Column("strike_count", sa.SmallInteger(), nullable=False),
        sa.Column("origin", sa.SmallInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "expiry", "minute", name=op.f("pk_chain_minute")),
    )
    with op.batch_alter_table("chain_minute", schema=None) as batch_op:
        batch_op.create_index("ix_chain_minute_minute", ["minute"], unique=False)

    op.create_table(
        "ingest_run",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("minute", marketedge.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("started_at", marketedge.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stored", sa.SmallInteger(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_run")),
    )
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.create_index("ix_ingest_run_minute", ["minute"], unique=False)

    op.create_table(
        "instrument",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("instrument_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("exchange", sa.String(length=8), nullable=False),
        sa.Column("expiries_tracked", sa.SmallInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("lot_size", sa.Integer(), nullable=True),
        sa.Column("strike_step", sa.Float(), nullable=True),
        sa.Column("updated_at", marketedge.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_instrument")),
        sa.UniqueConstraint("instrument_key", name=op.f("uq_instrument_instrument_key")),
    )
    op.create_table(
        "tracked_expiry",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("trading_day", sa.Date(), nullable=False),
        sa.Column("lot_size", sa.Integer(), nullable=True),
        sa.Column("strike_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["symbol"],
            ["instrument.symbol"],
            name=op.f("fk_tracked_expiry_symbol_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("symbol", "expiry", "trading_day", name=op.f("pk_tracked_expiry")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The payload is compressed already: don't let TOAST try again.
        op.execute("ALTER TABLE chain_minute ALTER COLUMN payload SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("tracked_expiry")
    op.drop_table("instrument")
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.drop_index("ix_ingest_run_minute")

    op.drop_table("ingest_run")
    with op.batch_alter_table("chain_minute", schema=None) as batch_op:
        batch_op.drop_index("ix_chain_minute_minute")

    op.drop_table("chain_minute")
