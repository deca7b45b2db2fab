"""a person's hourly wage, overriding their role's (labour cost)

The wages per role are a chain setting (``labour.role_wages`` in ``settings``); only the optional
per-person override needs a column.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_members") as batch:
        batch.add_column(sa.Column("hourly_wage", sa.Numeric(14, 2), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy would recreate ``staff_members`` and, with
    # foreign keys on, cascade into every row that refers to a person.
    op.execute("ALTER TABLE staff_members DROP COLUMN hourly_wage")
