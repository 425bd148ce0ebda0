"""JSON API, version 1: the signed-in member's notifications, worded as on their page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter

from prayerboard.api.openapi import BAD_QUERY, COMMON_ERRORS
from prayerboard.auth import require_member
from prayerboard.services import notifications

NotificationKindName = Literal["notice", "praying", "reply", "update", "answered", "urgent_report", "waiting_post"]


class NotificationOut(msgspec.Struct, frozen=True, kw_only=True):
    """One notification, worded for the caller now: a post they may no longer see is not named."""

    id: str  # the notification's public id
    kind: NotificationKindName
    text: str
    link: str  # a path on the board, or "" when there is nothing to open
    read: bool
    count: int  # how many events this row groups
    at: dt.datetime  # the newest of them; for an anonymous post, no finer than the hour


class NotificationPageOut(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the caller's notifications, newest first."""

    notifications: list[NotificationOut]
    page: int
    next_page: int | None
    unread: int


class NotificationApiController(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]
    include_in_schema = True

    @get("", responses={**BAD_QUERY, **COMMON_ERRORS})
    async def list_notifications(
        self,
        request: Request,
        page: Annotated[int, Parameter(description="Page number, from 1 (the newest).", ge=1, le=10_000)] = 1,
    ) -> NotificationPageOut:
        """Your notifications, newest first, a page at a time; 401 without a member's session."""
        actor = require_member(request)
        found = await notifications.page_of(actor, page)
        return NotificationPageOut(
            notifications=[
                NotificationOut(
                    id=item.public_id,
                    kind=item.kind.value,  # type: ignore[arg-type]
                    text=item.text,
                    link=item.link,
                    read=item.read,
                    count=item.count,
                    at=item.at,
                )
                for item in found.items
            ],
            page=found.page,
            next_page=found.page + 1 if found.has_more else None,
            unread=await notifications.unread_count(actor),
        )
