"""job leases: which process runs the scheduled jobs on one PC

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storemon.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("holder_role", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("expires_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.Column("ran_at", storemon.db.types.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
