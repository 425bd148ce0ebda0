"""Posts a moderator made anonymous before ``post.anonymised_by_moderator`` existed get it set.

Until then the only record was the moderation log's "anonymise" entry; a separate migration
because Piccolo runs a migration's raw steps before its new columns.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T07:01:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "mark posts a moderator anonymised, from the log"


async def _mark_from_the_log() -> None:
    from prayerboard.db import current_engine

    await current_engine().run_ddl(
        "UPDATE post SET anonymised_by_moderator = TRUE WHERE id IN ("
        "SELECT target_id FROM moderation_log WHERE action = 'anonymise' AND target_kind = 'post')"
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)
    manager.add_raw(_mark_from_the_log)
    return manager
