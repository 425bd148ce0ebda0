"""Indexes for reports (a separate migration: Piccolo runs raw SQL before it creates tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T00:41:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "one report per member per item; open reports by item"

STATEMENTS = (
    "CREATE UNIQUE INDEX flag_one_per_member ON flag (target_kind, target_id, reporter)",
    "CREATE INDEX flag_open_idx ON flag (resolved, target_kind, target_id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)

    async def create_indexes():
        from prayerboard.db import current_engine

        for statement in STATEMENTS:
            await current_engine().run_ddl(statement)

    async def drop_indexes():
        from prayerboard.db import current_engine

        for statement in STATEMENTS:
            name = statement.split(" INDEX ")[1].split(" ON ")[0]
            await current_engine().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
