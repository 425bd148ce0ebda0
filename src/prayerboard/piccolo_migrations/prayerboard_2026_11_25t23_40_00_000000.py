"""Indexes the board's queries need, which Piccolo's column options cannot express.

Keyset pagination walks ``post.id`` downwards; these composite indexes let each filter
start at the cursor and read only the rows it returns, on page 1 and page 500 alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "board indexes and one prayer per member per post"

STATEMENTS = (
    "CREATE UNIQUE INDEX prayer_post_member_unique ON prayer (post, member)",
    "CREATE INDEX post_board_idx ON post (moderation, visibility, id)",
    "CREATE INDEX post_kind_idx ON post (kind, id)",
    "CREATE INDEX post_category_idx ON post (category, id)",
    "CREATE INDEX post_status_idx ON post (status, id)",
    "CREATE INDEX reply_post_id_idx ON reply (post, id)",
    "CREATE INDEX key_value_expires_idx ON key_value (expires_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)

    async def create_indexes():
        from prayerboard.db import current_engine

        engine = current_engine()
        for statement in STATEMENTS:
            await _run(engine, statement)

    async def drop_indexes():
        from prayerboard.db import current_engine

        engine = current_engine()
        for statement in STATEMENTS:
            name = statement.split(" INDEX ")[1].split(" ON ")[0]
            await _run(engine, f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager


async def _run(engine, statement: str) -> None:
    await engine.run_ddl(statement)
