"""Full-text search over posts (title and body) and replies (body), on either engine.

SQLite: external-content FTS5 tables ``post_fts`` and ``reply_fts`` read the text from
``post`` and ``reply`` and are kept in step by triggers; the update triggers fire only when
the text changes, not on every "I'm praying" count. Porter stemming, accents folded.

PostgreSQL: GIN expression indexes over ``to_tsvector('prayerboard_search', ...)``, a text
search configuration that is English stemming with accents folded by ``unaccent`` when the
server offers it (without it, search still works but is accent-sensitive). Queries must
use the very same expressions (see ``services/search.py``) for the indexes to serve them.

Both build their index over the rows that exist when the migration runs.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "full-text search over posts and replies"

SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

SQLITE_FORWARDS = (
    "CREATE VIRTUAL TABLE post_fts USING fts5("
    f"title, body, content='post', content_rowid='id', tokenize='{SQLITE_TOKENIZER}')",
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts (post_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF title, body ON post BEGIN "
    "INSERT INTO post_fts (post_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO post_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO post_fts (post_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE reply_fts USING fts5("
    f"body, content='reply', content_rowid='id', tokenize='{SQLITE_TOKENIZER}')",
    "CREATE TRIGGER reply_fts_insert AFTER INSERT ON reply BEGIN "
    "INSERT INTO reply_fts (rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER reply_fts_delete AFTER DELETE ON reply BEGIN "
    "INSERT INTO reply_fts (reply_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER reply_fts_update AFTER UPDATE OF body ON reply BEGIN "
    "INSERT INTO reply_fts (reply_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO reply_fts (rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO reply_fts (reply_fts) VALUES ('rebuild')",
)
SQLITE_BACKWARDS = (
    "DROP TRIGGER post_fts_insert",
    "DROP TRIGGER post_fts_delete",
    "DROP TRIGGER post_fts_update",
    "DROP TABLE post_fts",
    "DROP TRIGGER reply_fts_insert",
    "DROP TRIGGER reply_fts_delete",
    "DROP TRIGGER reply_fts_update",
    "DROP TABLE reply_fts",
)

POSTGRES_CONFIGURATION = (
    "CREATE TEXT SEARCH CONFIGURATION prayerboard_search (COPY = pg_catalog.english)",
)
# Words with letters beyond ASCII are the only ones that can carry accents.
POSTGRES_UNACCENT = (
    "ALTER TEXT SEARCH CONFIGURATION prayerboard_search "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
)
POSTGRES_INDEXES = (
    "CREATE INDEX post_search_idx ON post USING GIN (to_tsvector('prayerboard_search', title || ' ' || body))",
    "CREATE INDEX reply_search_idx ON reply USING GIN (to_tsvector('prayerboard_search', body))",
)
POSTGRES_BACKWARDS = (
    "DROP INDEX post_search_idx",
    "DROP INDEX reply_search_idx",
    "DROP TEXT SEARCH CONFIGURATION prayerboard_search",
)


async def _postgres_has_unaccent(engine) -> bool:
    """Install ``unaccent`` if the server offers it and we may; never fail the migration over it."""
    available = await engine.run_ddl("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    if not available:
        return False
    # The migration runs in a transaction: a refused CREATE EXTENSION (no privilege) rolls
    # back to this savepoint instead of aborting everything.
    await engine.run_ddl("SAVEPOINT search_unaccent")
    try:
        await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:  # noqa: BLE001 - any refusal means: search without accent folding
        await engine.run_ddl("ROLLBACK TO SAVEPOINT search_unaccent")
        return False
    await engine.run_ddl("RELEASE SAVEPOINT search_unaccent")
    return True


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="prayerboard", description=DESCRIPTION)

    async def create_search():
        from prayerboard.db import current_engine

        engine = current_engine()
        if engine.engine_type == "sqlite":
            statements = SQLITE_FORWARDS
        else:
            unaccent = POSTGRES_UNACCENT if await _postgres_has_unaccent(engine) else ()
            statements = POSTGRES_CONFIGURATION + unaccent + POSTGRES_INDEXES
        for statement in statements:
            await engine.run_ddl(statement)

    async def drop_search():
        from prayerboard.db import current_engine

        engine = current_engine()
        for statement in SQLITE_BACKWARDS if engine.engine_type == "sqlite" else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)

    manager.add_raw(create_search)
    manager.add_raw_backwards(drop_search)
    return manager
