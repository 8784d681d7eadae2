"""The Alembic migration builds the whole schema from an empty database."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nudge.store.models import Base


async def test_migration_creates_every_model_table_and_the_single_config_row(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        rows = (await conn.execute(text("SELECT id, timezone FROM user_config"))).all()
        columns = {
            table: await conn.run_sync(
                lambda c, t=table: {col["name"] for col in inspect(c).get_columns(t)}
            )
            for table in Base.metadata.tables
        }
    assert set(Base.metadata.tables) <= tables
    assert rows == [(1, "UTC")]
    for name, table in Base.metadata.tables.items():
        assert {c.name for c in table.columns} == columns[name]
