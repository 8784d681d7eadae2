"""the Telegram user's language, so reminders speak it after a bot restart

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_config", sa.Column("telegram_language", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("user_config", "telegram_language")
