from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-26T07:29:45:134320"
VERSION = "1.38.0"
DESCRIPTION = "the log's target kinds include watched words and invitations"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="prayerboard", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Flag",
        tablename="flag",
        column_name="target_kind",
        db_column_name="target_kind",
        params={
            "choices": Enum(
                "TargetKind",
                {
                    "POST": "post",
                    "REPLY": "reply",
                    "MEMBER": "member",
                    "WORD": "word",
                    "INVITE": "invite",
                },
            )
        },
        old_params={
            "choices": Enum(
                "TargetKind",
                {"POST": "post", "REPLY": "reply", "MEMBER": "member"},
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ModerationLogEntry",
        tablename="moderation_log",
        column_name="target_kind",
        db_column_name="target_kind",
        params={
            "choices": Enum(
                "TargetKind",
                {
                    "POST": "post",
                    "REPLY": "reply",
                    "MEMBER": "member",
                    "WORD": "word",
                    "INVITE": "invite",
                },
            )
        },
        old_params={
            "choices": Enum(
                "TargetKind",
                {"POST": "post", "REPLY": "reply", "MEMBER": "member"},
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Revision",
        tablename="revision",
        column_name="target_kind",
        db_column_name="target_kind",
        params={
            "choices": Enum(
                "TargetKind",
                {
                    "POST": "post",
                    "REPLY": "reply",
                    "MEMBER": "member",
                    "WORD": "word",
                    "INVITE": "invite",
                },
            )
        },
        old_params={
            "choices": Enum(
                "TargetKind",
                {"POST": "post", "REPLY": "reply", "MEMBER": "member"},
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
