"""rule batches: PostgreSQL workers split the rules job; rules cycle figures in the heartbeat

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storemon.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEARTBEAT_COLUMNS = ("rules_cycle_at", "rules_cycle_seconds", "rules_evaluated", "rules_skipped")


def upgrade() -> None:
    op.create_table(
        "rule_batches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("cycle", sa.BigInteger(), nullable=False, server_default="-1"),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", storemon.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_holder", sa.String(length=200), nullable=True),
        sa.Column("finished_at", storemon.db.types.UTCDateTime(), nullable=True),
    )
    with op.batch_alter_table("heartbeats") as batch:
        batch.add_column(sa.Column("rules_cycle_at", storemon.db.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("rules_cycle_seconds", sa.Float(), nullable=True))
        batch.add_column(sa.Column("rules_evaluated", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rules_skipped", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_table("rule_batches")
    # Plain DROP COLUMN (SQLite >= 3.35), as in 0006.
    for column in reversed(HEARTBEAT_COLUMNS):
        op.execute(f"ALTER TABLE heartbeats DROP COLUMN {column}")
