"""alerts wiring: cover offers, commitments, notification owner

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storemon.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.Column("grace_minutes", sa.Integer(), nullable=False),
        sa.Column("remind_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reminded_at", storemon.db.types.UTCDateTime(), nullable=True),
        sa.Column("done_at", storemon.db.types.UTCDateTime(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_commitments_alert_id_alerts")),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_commitments_store_id_stores")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_store_id"), ["store_id"], unique=False)

    op.create_table(
        "cover_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offered_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", storemon.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_cover_offers_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover_offers")),
        sa.UniqueConstraint("alert_id", "username", name=op.f("uq_cover_offers_alert_id")),
    )
    with op.batch_alter_table("cover_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cover_offers_alert_id"), ["alert_id"], unique=False)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("read_at", storemon.db.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_username"), ["username"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_username"))
        batch_op.drop_column("read_at")
        batch_op.drop_column("username")

    with op.batch_alter_table("cover_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cover_offers_alert_id"))

    op.drop_table("cover_offers")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_store_id"))
        batch_op.drop_index(batch_op.f("ix_commitments_due_at"))

    op.drop_table("commitments")
