"""broker: the stored Upstox token (encrypted) and v3 token requests

Revision ID: 20261125_0020_broker
Revises: 20261125_0010_auth
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from marketedge.core.db import UTCDateTime

revision: str = "20261125_0020_broker"
down_revision: str | None = "20261125_0010_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "broker_token",
        sa.Column("id", _ID, nullable=False),
        sa.Column("broker", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("upstox_user_id", sa.String(length=64), nullable=True),
        sa.Column("upstox_user_name", sa.String(length=128), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("stored_at", UTCDateTime(), nullable=False),
        sa.Column("stored_by", sa.String(length=254), nullable=False),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.Column("last_validated_at", UTCDateTime(), nullable=True),
        sa.Column("last_validation", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_token")),
        sa.UniqueConstraint("broker", name=op.f("uq_broker_token_broker")),
    )
    op.create_table(
        "broker_token_request",
        sa.Column("id", _ID, nullable=False),
        sa.Column("broker", sa.String(length=32), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("authorization_expiry", UTCDateTime(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("fulfilled_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_token_request")),
    )
    with op.batch_alter_table("broker_token_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_broker_token_request_broker_requested_at", ["broker", "requested_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("broker_token_request", schema=None) as batch_op:
        batch_op.drop_index("ix_broker_token_request_broker_requested_at")
    op.drop_table("broker_token_request")
    op.drop_table("broker_token")
