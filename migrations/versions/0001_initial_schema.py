"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:15:55.335841
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trigram indexes make `GET /events?q=` fast on large tables.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "user_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_chat_id", sa.Text(), nullable=True),
        sa.Column("desktop_device_id", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column(
            "default_reminders",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text(
                '\'[{"offset_minutes": 15, "channels": ["desktop", "telegram"]}]\'::jsonb'
            ),
            nullable=False,
        ),
        sa.Column("catchup_window_minutes", sa.Integer(), server_default="1440", nullable=False),
        sa.Column("telegram_link_code", sa.Text(), nullable=True),
        sa.Column("telegram_link_code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("catchup_window_minutes >= 0", name="catchup_nonnegative"),
        sa.CheckConstraint("id = 1", name="single_user"),
        sa.PrimaryKeyConstraint("id"),
    )
    # nudge has exactly one user; its config row exists from the start.
    op.execute("INSERT INTO user_config (id) VALUES (1)")
    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column("all_day", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("rrule", sa.Text(), nullable=True),
        sa.Column("reminders", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("is_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("materialized_through", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("char_length(title) BETWEEN 1 AND 500", name="title_length"),
        sa.CheckConstraint("end_time IS NULL OR end_time >= start_time", name="end_after_start"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_config.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_event_description_trgm",
        "event",
        ["description"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_event_recurring",
        "event",
        ["start_time"],
        unique=False,
        postgresql_where=sa.text("rrule IS NOT NULL"),
    )
    op.create_index("ix_event_start_time", "event", ["start_time"], unique=False)
    op.create_index(
        "ix_event_title_trgm",
        "event",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), server_default="1", nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notification_type", sa.Text(), nullable=False),
        sa.Column("is_sent", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("occurrence_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("telegram_message_id", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("notification_type IN ('desktop', 'telegram')", name="known_channel"),
        sa.CheckConstraint(
            "status IN ('pending','queued','delivering','waiting','sent','failed','cancelled','missed')",
            name="known_status",
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_config.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminder_event", "reminder", ["event_id"], unique=False)
    op.create_index(
        "ix_reminder_in_flight",
        "reminder",
        ["status", "remind_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('queued', 'delivering')"),
    )
    op.create_index(
        "ix_reminder_pending_due",
        "reminder",
        ["remind_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_reminder_waiting",
        "reminder",
        ["notification_type", "remind_at"],
        unique=False,
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_index(
        "uq_reminder_point",
        "reminder",
        ["event_id", "version", "occurrence_start", "offset_minutes", "notification_type"],
        unique=True,
        postgresql_where=sa.text("offset_minutes IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_reminder_point",
        table_name="reminder",
        postgresql_where=sa.text("offset_minutes IS NOT NULL"),
    )
    op.drop_index(
        "ix_reminder_waiting", table_name="reminder", postgresql_where=sa.text("status = 'waiting'")
    )
    op.drop_index(
        "ix_reminder_pending_due",
        table_name="reminder",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(
        "ix_reminder_in_flight",
        table_name="reminder",
        postgresql_where=sa.text("status IN ('queued', 'delivering')"),
    )
    op.drop_index("ix_reminder_event", table_name="reminder")
    op.drop_table("reminder")
    op.drop_index(
        "ix_event_title_trgm",
        table_name="event",
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.drop_index("ix_event_start_time", table_name="event")
    op.drop_index(
        "ix_event_recurring", table_name="event", postgresql_where=sa.text("rrule IS NOT NULL")
    )
    op.drop_index(
        "ix_event_description_trgm",
        table_name="event",
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
    op.drop_table("event")
    op.drop_table("user_config")
