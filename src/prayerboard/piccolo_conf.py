"""Piccolo's configuration module (``PICCOLO_CONF=prayerboard.piccolo_conf``), used by migrations."""

from piccolo.conf.apps import AppRegistry

from prayerboard.db import current_engine

DB = current_engine()

APP_REGISTRY = AppRegistry(apps=["prayerboard.piccolo_app"])
