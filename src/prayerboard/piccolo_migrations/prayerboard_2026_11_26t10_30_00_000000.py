"""Privacy by default and the first run.

New members' posts default to "members" (the column's default on PostgreSQL; SQLite cannot
change a column's default in place, and the app always writes the value itself). Existing
members keep what they have. A board installed fresh, with no member yet, gets a setup code: the
member who types it when joining becomes its admin; the server's log shows it
(docs/security.md, "The first member").
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "new members' posts default to members; a fresh board has a setup code for its first admin"

FIRST_MEMBER_SETTING = "first_member_becomes_admin"  # services/site.py


async def _forwards() -> None:
    from prayerboard.db import current_engine, is_sqlite
    from prayerboard.tables import Member, SiteSetting

    if not is_sqlite():
        await current_engine().run_ddl("ALTER TABLE member ALTER COLUMN default_visibility SET DEFAULT 'members'")
    if not await Member.exists():
        from prayerboard.services.site import new_setup_code

        await SiteSetting.insert(SiteSetting(key=FIRST_MEMBER_SETTING, value=new_setup_code()))


async def _backwards() -> None:
    from prayerboard.db import current_engine, is_sqlite
    from prayerboard.tables import SiteSetting

    if not is_sqlite():
        await current_engine().run_ddl("ALTER TABLE member ALTER COLUMN default_visibility SET DEFAULT 'public'")
    await SiteSetting.delete().where(SiteSetting.key == FIRST_MEMBER_SETTING)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager
