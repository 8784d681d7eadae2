"""wake dispatchers from the database: NOTIFY whenever reminder rows are written

Every writer of reminders (the API, the materializer, snoozes) then wakes a dispatcher
in another process at commit without a statement of its own.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION nudge_notify_reminders() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- Delivered at commit, once per transaction: never for uncommitted rows.
            PERFORM pg_notify('nudge_reminders', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER reminder_written AFTER INSERT ON reminder
        FOR EACH STATEMENT EXECUTE FUNCTION nudge_notify_reminders()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER reminder_written ON reminder")
    op.execute("DROP FUNCTION nudge_notify_reminders()")
