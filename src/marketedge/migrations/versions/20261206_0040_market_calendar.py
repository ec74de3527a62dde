"""market calendar: what Upstox's holiday list and timings, and the operator, say of each date

Revision ID: 20261206_0040_market_calendar
Revises: 20261125_0030_consent
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from marketedge.core.db import UTCDateTime

revision: str = "20261206_0040_market_calendar"
down_revision: str | None = "20261125_0030_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "market_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("layer", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("open_time", sa.Time(), nullable=True),
        sa.Column("close_time", sa.Time(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("day", "layer", name=op.f("pk_market_day")),
    )
    op.create_table(
        "market_calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_market_calendar_year")),
    )


def downgrade() -> None:
    op.drop_table("market_calendar_year")
    op.drop_table("market_day")
