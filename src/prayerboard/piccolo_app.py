"""The Piccolo app that owns prayerboard's tables and their migrations."""

import os

from piccolo.conf.apps import AppConfig

from prayerboard import tables

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="prayerboard",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=list(tables.ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
