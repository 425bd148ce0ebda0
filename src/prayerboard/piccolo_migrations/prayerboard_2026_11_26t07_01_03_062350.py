from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T07:01:03:062350"
VERSION = "1.38.0"
DESCRIPTION = "choices from vocab; post.anonymised_by_moderator"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="prayerboard", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Post",
        tablename="post",
        column_name="anonymised_by_moderator",
        db_column_name="anonymised_by_moderator",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Member",
        tablename="member",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {
                    "MEMBER": "member",
                    "TEAM": "team",
                    "MODERATOR": "moderator",
                    "ADMIN": "admin",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Member",
        tablename="member",
        column_name="state",
        db_column_name="state",
        params={
            "choices": Enum(
                "MemberState",
                {
                    "PENDING": "pending",
                    "ACTIVE": "active",
                    "SILENCED": "silenced",
                    "SUSPENDED": "suspended",
                    "DELETED": "deleted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Member",
        tablename="member",
        column_name="default_visibility",
        db_column_name="default_visibility",
        params={
            "choices": Enum(
                "Visibility",
                {"PUBLIC": "public", "MEMBERS": "members", "TEAM": "team"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Post",
        tablename="post",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "PostKind", {"REQUEST": "request", "TESTIMONY": "testimony"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Post",
        tablename="post",
        column_name="visibility",
        db_column_name="visibility",
        params={
            "choices": Enum(
                "Visibility",
                {"PUBLIC": "public", "MEMBERS": "members", "TEAM": "team"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Post",
        tablename="post",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "PostStatus",
                {"OPEN": "open", "ANSWERED": "answered", "ARCHIVED": "archived"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Post",
        tablename="post",
        column_name="moderation",
        db_column_name="moderation",
        params={
            "choices": Enum(
                "ModerationState",
                {
                    "PENDING": "pending",
                    "VISIBLE": "visible",
                    "HIDDEN": "hidden",
                    "REMOVED": "removed",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Reply",
        tablename="reply",
        column_name="moderation",
        db_column_name="moderation",
        params={
            "choices": Enum(
                "ModerationState",
                {
                    "PENDING": "pending",
                    "VISIBLE": "visible",
                    "HIDDEN": "hidden",
                    "REMOVED": "removed",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Flag",
        tablename="flag",
        column_name="target_kind",
        db_column_name="target_kind",
        params={
            "choices": Enum(
                "TargetKind",
                {"POST": "post", "REPLY": "reply", "MEMBER": "member"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Flag",
        tablename="flag",
        column_name="reason",
        db_column_name="reason",
        params={
            "choices": Enum(
                "ReportReason",
                {
                    "SPAM": "spam",
                    "PRIVATE_DETAILS": "private_details",
                    "UNKIND": "unkind",
                    "DANGER": "danger",
                    "OTHER": "other",
                },
            )
        },
        old_params={"choices": None},
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
                {"POST": "post", "REPLY": "reply", "MEMBER": "member"},
            )
        },
        old_params={"choices": None},
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
                {"POST": "post", "REPLY": "reply", "MEMBER": "member"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="WatchedWord",
        tablename="watched_word",
        column_name="action",
        db_column_name="action",
        params={
            "choices": Enum(
                "WatchedWordAction", {"BLOCK": "block", "REVIEW": "review"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="AuthorRestriction",
        tablename="author_restriction",
        column_name="action",
        db_column_name="action",
        params={
            "choices": Enum(
                "RestrictionAction", {"SILENCE": "silence", "SUSPEND": "suspend"}
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="AuthorRestriction",
        tablename="author_restriction",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "RestrictionStatus",
                {
                    "ACTIVE": "active",
                    "AWAITING_ADMIN": "awaiting_admin",
                    "LIFTED": "lifted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
