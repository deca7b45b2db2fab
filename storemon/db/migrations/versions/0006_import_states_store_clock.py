"""import batch states, per-weekday opening hours, per-store chore load and patience

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storemon.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=False, server_default="done"))
        batch.add_column(sa.Column("alive_at", storemon.db.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("chore_minutes_per_hour", sa.Float(), nullable=True))
        batch.add_column(sa.Column("patience_minutes", sa.Float(), nullable=True))
    op.create_table(
        "store_hours",
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("weekday", sa.Integer(), primary_key=True),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_hours")
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy would drop and recreate ``stores``, and
    # with foreign keys on that deletes every row that cascades from a store.
    for table, column in (
        ("stores", "patience_minutes"),
        ("stores", "chore_minutes_per_hour"),
        ("import_batches", "alive_at"),
        ("import_batches", "state"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
