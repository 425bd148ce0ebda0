"""Every existing notification gets its own random public id; then the ids are made unique.

Piccolo runs a migration's raw steps before its new columns, so this follows the migration
that adds ``public_id``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from prayerboard.ids import new_public_id

ID = "2026-11-26T08:38:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "public ids for existing notifications, unique"

PUBLIC_ID_INDEXES = ("CREATE UNIQUE INDEX notification_public_id_unique ON notification (public_id)",)


async def _give_public_ids() -> None:
    from prayerboard.db import current_engine
    from prayerboard.tables import Notification

    for model in (Notification,):
        for row in await model.select(model.id):
            await model.update({model.public_id: new_public_id()}).where(model.id == row["id"])
    for statement in PUBLIC_ID_INDEXES:
        await current_engine().run_ddl(statement)


async def _drop_public_id_indexes() -> None:
    from prayerboard.db import current_engine

    for name in ("notification_public_id_unique",):
        await current_engine().run_ddl(f"DROP INDEX {name}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)
    manager.add_raw(_give_public_ids)
    manager.add_raw_backwards(_drop_public_id_indexes)
    return manager
