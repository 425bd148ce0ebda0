"""Indexes for reports (a separate migration: Piccolo runs raw SQL before it creates tables)."""

from prayerboard.db import index_migration

ID = "2026-11-26T00:41:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "one report per member per item; open reports by item"

STATEMENTS = (
    "CREATE UNIQUE INDEX flag_one_per_member ON flag (target_kind, target_id, reporter)",
    "CREATE INDEX flag_open_idx ON flag (resolved, target_kind, target_id)",
)


async def forwards():
    return index_migration(ID, DESCRIPTION, STATEMENTS)
