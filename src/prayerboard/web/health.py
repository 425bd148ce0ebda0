"""Health checks for load balancers and orchestrators."""

from __future__ import annotations

from litestar import get
from litestar.response import Response

from prayerboard.tables import Member


@get("/healthz", media_type="text/plain", cache_control=None, include_in_schema=False)
async def healthz() -> str:
    """The process is up; touches nothing else."""
    return "ok"


@get("/readyz", media_type="text/plain", include_in_schema=False)
async def readyz() -> Response[str]:
    """The process can reach its database."""
    try:
        await Member.select(Member.id).limit(1)
    except Exception:  # any failure means "not ready"; the reason goes to the log
        import logging

        logging.getLogger("prayerboard").exception("readiness check failed")
        return Response("database unavailable", status_code=503, media_type="text/plain")
    return Response("ok", media_type="text/plain")
