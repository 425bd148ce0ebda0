"""A member follows a post once: (post, member) is unique in ``follow``.

A separate migration because Piccolo runs a migration's raw steps before its new tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T08:10:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "one follow per member per post"


async def _unique_follows() -> None:
    from prayerboard.db import current_engine

    await current_engine().run_ddl("CREATE UNIQUE INDEX follow_post_member_unique ON follow (post, member)")


async def _drop_unique_follows() -> None:
    from prayerboard.db import current_engine

    await current_engine().run_ddl("DROP INDEX follow_post_member_unique")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)
    manager.add_raw(_unique_follows)
    manager.add_raw_backwards(_drop_unique_follows)
    return manager
