"""Indexes the board's queries need, which Piccolo's column options cannot express.

Keyset pagination walks ``post.id`` downwards; these composite indexes let each filter
start at the cursor and read only the rows it returns, on page 1 and page 500 alike. The
unfiltered board walks the primary key itself. There is deliberately no index on
(moderation, visibility, id): with two audiences in ``visibility IN (...)`` SQLite would use
it and then sort every visible post (100 ms at 100,000 posts) instead of stopping after a page.
"""

from prayerboard.db import index_migration

ID = "2026-11-25T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "board indexes and one prayer per member per post"

STATEMENTS = (
    "CREATE UNIQUE INDEX prayer_post_member_unique ON prayer (post, member)",
    "CREATE INDEX post_kind_idx ON post (kind, id)",
    "CREATE INDEX post_category_idx ON post (category, id)",
    "CREATE INDEX post_status_idx ON post (status, id)",
    "CREATE INDEX reply_post_id_idx ON reply (post, id)",
    "CREATE INDEX key_value_expires_idx ON key_value (expires_at)",
)


async def forwards():
    return index_migration(ID, DESCRIPTION, STATEMENTS)
