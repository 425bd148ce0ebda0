"""Health checks for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from litestar import Request, get
from litestar.response import Response

from prayerboard.db import describe_storage_error
from prayerboard.stores import check_reachable
from prayerboard.tables import Member

log = logging.getLogger("prayerboard")

# An orchestrator asks often and acts on the answer: a database or Redis that has not answered
# by then is as good as gone, and "not ready" must come back while it still matters.
READINESS_TIMEOUT_S = 1.5


@get("/healthz", media_type="text/plain", cache_control=None, include_in_schema=False)
async def healthz() -> str:
    """The process is up; touches nothing else."""
    return "ok"


@get("/readyz", media_type="text/plain", include_in_schema=False)
async def readyz(request: Request) -> Response[str]:
    """The process can reach its database (and Redis, when configured), within a bounded time."""

    async def check() -> None:
        await Member.select(Member.id).limit(1)
        await check_reachable(request.app.state.shared_state)

    try:
        await asyncio.wait_for(check(), READINESS_TIMEOUT_S)
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log
        log.warning("readiness check failed: %s", describe_storage_error(exc))
        return Response("storage unavailable", status_code=503, media_type="text/plain")
    return Response("ok", media_type="text/plain")
