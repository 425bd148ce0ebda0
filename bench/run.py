#!/usr/bin/env python3
"""prayerboard benchmark: one server process, one fresh database, a few minutes.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It:

1. makes a fresh SQLite data directory in a temporary folder (or, with ``--database-url``,
   uses that *empty* PostgreSQL database), migrates it and seeds 2,000 demo posts;
2. starts ``python -m prayerboard run --workers 1`` on a free loopback port;
3. measures requests/second of ``GET /healthz``, ``GET /`` as a visitor and as a signed-in
   member, and a deep keyset page (``/?before=<id>``, about page 500 once there are enough
   posts), with ``wrk`` (or a Python load generator in its own process when wrk is absent):
   a warm-up, then the median of three short runs, as the machine may be busy;
4. has 50 signed-in members press "I'm praying" concurrently on one post and checks that the
   post's ``praying_count`` equals the number of members left praying;
5. appends demo posts up to 100,000 and measures everything again;
6. prints a Markdown table that can be pasted into the README. It writes no files in the repo.

Everything runs on 127.0.0.1; every loop is bounded by a count or a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# The server process and the signed-in browser are the tests' own (tests/harness.py).
sys.path.insert(0, str(ROOT / "tests"))
from harness import (  # noqa: E402
    CSRF_COOKIE,
    HOST,
    HTTP_TIMEOUT_S,
    PASSWORD,
    SESSION_COOKIE,
    Browser,
    Server,
    ServerError,
    server_environment,
)

PAGE_SIZE = 20  # Settings.page_size default; used only to name "page N" in the output
DEMO_TIMEOUT_S = 900


# ---------------------------------------------------------------------------------------------
# A tiny HTTP/1.1 keep-alive client on asyncio streams: used for the "I'm praying" presses and
# for the fallback load generator, where httpx's own CPU cost would dominate the figures.


class RawConnection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.writer = self.reader = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            await self._open()
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method not in ("GET", "HEAD"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), HTTP_TIMEOUT_S)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        response_headers: dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                response_headers[name.strip().lower()] = value.strip()
        if "content-length" in response_headers:
            data = await self.reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            for _ in range(1_000_000):  # bounded: a chunked body of at most a million chunks
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            data = b"".join(parts)
        else:
            data = b""
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, response_headers, data


# ---------------------------------------------------------------------------------------------
# Load generators


@dataclass
class LoadResult:
    rps: float
    requests: int
    errors: int  # socket errors and timeouts
    non_2xx: int
    p50_ms: float | None = None
    p99_ms: float | None = None
    tool: str = "wrk"


def _wrk_ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(url: str, duration: float, connections: int, cookie: str | None) -> LoadResult:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if not rps or not total:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    return LoadResult(
        rps=float(rps.group(1)),
        requests=int(total.group(1)),
        errors=sum(int(g) for g in sock.groups()) if sock else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        p50_ms=_wrk_ms(p50.group(1)) if p50 else None,
        p99_ms=_wrk_ms(p99.group(1)) if p99 else None,
    )


async def _python_load(port: int, path: str, duration: float, connections: int, cookie: str | None) -> dict[str, Any]:
    headers = {"Cookie": cookie} if cookie else {}
    latencies: list[float] = []
    counts = {"ok": 0, "non_2xx": 0, "errors": 0}
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        conn = RawConnection(HOST, port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    status, _, _ = await conn.request("GET", path, headers)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    counts["errors"] += 1
                    await conn.close()
                    continue
                latencies.append(time.perf_counter() - start)
                counts["ok" if 200 <= status < 400 else "non_2xx"] += 1
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    done = counts["ok"] + counts["non_2xx"]
    return {
        "rps": done / elapsed,
        "requests": done,
        "errors": counts["errors"],
        "non_2xx": counts["non_2xx"],
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None,
    }


def run_python_load(port: int, path: str, duration: float, connections: int, cookie: str | None) -> LoadResult:
    """The fallback generator, in its own process so it does not share a GIL with this script."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--_loadgen",
        json.dumps([port, path, duration, connections, cookie]),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    return LoadResult(tool="python", **json.loads(out))


# ---------------------------------------------------------------------------------------------
# The database under test, reached directly only to count posts and pick ids.


class Database:
    def __init__(self, url: str | None, data_dir: Path) -> None:
        self.url = url
        self.sqlite_path = data_dir / "prayerboard.sqlite3"

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.url else "SQLite"

    def query(self, sql: str, *args: Any) -> list[tuple]:
        if self.url:
            import asyncpg

            count = iter(range(1, 100))
            pg_sql = re.sub(r"\?", lambda _: f"${next(count)}", sql)

            async def run() -> list[tuple]:
                connection = await asyncpg.connect(self.url)
                try:
                    return [tuple(r) for r in await connection.fetch(pg_sql, *args)]
                finally:
                    await connection.close()

            return asyncio.run(run())
        connection = sqlite3.connect(self.sqlite_path, timeout=30)
        try:
            return connection.execute(sql, args).fetchall()
        finally:
            connection.close()

    def count_posts(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM post")[0][0])

    def visitor_post_ids_at(self, rank: int) -> str | None:
        """The public id (the board's ``before=`` cursor) of the rank-th newest post a visitor sees."""
        rows = self.query(
            "SELECT public_id FROM post WHERE moderation = 'visible' AND visibility = 'public' AND status != 'archived' "
            "ORDER BY id DESC LIMIT 1 OFFSET ?",
            rank - 1,
        )
        return str(rows[0][0]) if rows else None

    def count_visitor_posts(self) -> int:
        return int(
            self.query(
                "SELECT COUNT(*) FROM post WHERE moderation = 'visible' AND visibility = 'public' AND status != 'archived'"
            )[0][0]
        )

    def settle(self) -> None:
        """After a bulk load: fold SQLite's write-ahead log into the database (the server is idle).

        The demo writes ~100 MB in one transaction; while the server keeps its connections open,
        that stays in the WAL until some later commit checkpoints it. Doing it here keeps that
        one-off cost out of the figures. PostgreSQL: refresh the planner's statistics, as
        autovacuum would shortly after a bulk load.
        """
        if self.url:
            self.query("ANALYZE")
            return
        connection = sqlite3.connect(self.sqlite_path, timeout=30)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.close()

    def prayer_rows(self, public_id: str) -> int:
        sql = "SELECT COUNT(*) FROM prayer WHERE post = (SELECT id FROM post WHERE public_id = ?)"
        return int(self.query(sql, public_id)[0][0])


# ---------------------------------------------------------------------------------------------
# The server and the command line


def cli(env: dict[str, str], *args: str, timeout: float = 300) -> float:
    """Run ``python -m prayerboard ...``; return how long it took."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "prayerboard", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if result.returncode != 0:
        raise SystemExit(
            f"`prayerboard {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return time.perf_counter() - start


# ---------------------------------------------------------------------------------------------
# Members


@dataclass
class Member:
    username: str
    session: str
    csrf: str

    @property
    def cookie(self) -> str:
        return f"{SESSION_COOKIE}={self.session}; {CSRF_COOKIE}={self.csrf}"


def register_member(base_url: str, username: str) -> Member:
    """Sign ``username`` up through ``POST /register``, as a person would; their cookies for wrk."""
    browser = Browser(base_url)
    try:
        response = browser.register(username, username.replace("_", " ").title(), PASSWORD)
        session, csrf = browser.client.cookies.get(SESSION_COOKIE), browser.client.cookies.get(CSRF_COOKIE)
        if response.status_code != 303 or not session or session == "null" or not csrf:
            raise SystemExit(f"registering {username} failed: HTTP {response.status_code}\n{response.text[:500]}")
        return Member(username=username, session=session, csrf=csrf)
    finally:
        browser.close()


def create_post(base_url: str, author: Member, title: str) -> str:
    """The benchmark's target post, by ``author``: its public id."""
    browser = Browser(base_url)
    try:
        browser.set_cookie(SESSION_COOKIE, author.session)
        browser.set_cookie(CSRF_COOKIE, author.csrf)
        return browser.create_post(
            title=title,
            body="Please pray with us; this post is the benchmark's target for the \"I'm praying\" button.",
            category="Other",
        )
    finally:
        browser.close()


# ---------------------------------------------------------------------------------------------
# "I'm praying" presses


@dataclass
class PrayResult:
    presses: int
    seconds: float
    members: int
    praying_members: int
    api_count: int
    prayer_rows: int
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.presses / self.seconds

    @property
    def ok(self) -> bool:
        return not self.errors and self.api_count == self.praying_members == self.prayer_rows


async def _press_all(
    port: int, post_id: str, plan: list[tuple[Member, int]]
) -> tuple[dict[str, bool], list[str], list[float], float]:
    states: dict[str, bool] = {m.username: False for m, _ in plan}
    errors: list[str] = []
    latencies: list[float] = []
    path = f"/posts/{post_id}/pray"

    async def press(member: Member, presses: int) -> None:
        conn = RawConnection(HOST, port)
        headers = {
            "Cookie": member.cookie,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = urlencode({"_csrf_token": member.csrf}).encode()
        try:
            for _ in range(presses):
                start = time.perf_counter()
                status, _, data = await conn.request("POST", path, headers, body)
                latencies.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    errors.append(f"{member.username}: HTTP {status} {data[:200]!r}")
                    return
                reply = json.loads(data)
                expected = not states[member.username]
                if reply.get("praying") is not expected:
                    errors.append(f"{member.username}: expected praying={expected}, got {reply}")
                states[member.username] = bool(reply.get("praying"))
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(press(m, n) for m, n in plan))
    return states, errors, latencies, time.perf_counter() - started


def press_plan(members: list[Member], presses: int) -> list[tuple[Member, int]]:
    """How many times each member presses: ``presses`` in all, a mix of odd and even counts.

    Each press toggles, so a member with an odd count ends up praying. Counts are moved in
    pairs (one member gives k presses to the next) so the total stays exact; k is odd for
    every other pair, so about half the members end up praying and the check means something.
    """
    base, extra = divmod(presses, len(members))
    counts = [base + (1 if i < extra else 0) for i in range(len(members))]
    for i in range(0, len(counts) - 1, 2):
        k = min(i // 2 % 2 + 1, counts[i])  # 1, 2, 1, 2, ...: an odd k flips both members' parity
        counts[i] -= k
        counts[i + 1] += k
    return [(m, n) for m, n in zip(members, counts, strict=False) if n > 0]


def pray_test(server: Server, db: Database, members: list[Member], presses: int, label: str) -> PrayResult:
    import httpx

    post_id = create_post(server.url, members[0], f"Benchmark prayer request ({label})")
    states, errors, latencies, seconds = asyncio.run(_press_all(server.port, post_id, press_plan(members, presses)))
    api = httpx.get(f"{server.url}/api/v1/posts/{post_id}", timeout=HTTP_TIMEOUT_S)
    api.raise_for_status()
    return PrayResult(
        presses=len(latencies),
        seconds=seconds,
        members=len(members),
        praying_members=sum(states.values()),
        api_count=int(api.json()["praying_count"]),
        prayer_rows=db.prayer_rows(post_id),
        errors=errors,
        latencies_ms=latencies,
    )


# ---------------------------------------------------------------------------------------------
# One round of page measurements


@dataclass
class Target:
    key: str
    label: str
    path: str
    cookie: str | None
    signed_in: bool


def check_target(base_url: str, target: Target) -> None:
    """One request before measuring: right status, a full board, signed in when it should be."""
    import httpx

    headers = {"Cookie": target.cookie} if target.cookie else {}
    response = httpx.get(base_url + target.path, headers=headers, timeout=HTTP_TIMEOUT_S)
    if response.status_code != 200:
        raise SystemExit(
            f"GET {target.path} ({target.label}) answered HTTP {response.status_code}:\n{response.text[:500]}"
        )
    if target.path.startswith("/?") or target.path == "/":
        cards = len(re.findall(r'id="post-[a-z0-9]+"', response.text))
        if cards == 0:
            raise SystemExit(
                f"GET {target.path} ({target.label}) shows no posts; the benchmark would measure an empty board"
            )
        shows_member = "Sign out" in response.text
        if shows_member != target.signed_in:
            raise SystemExit(
                f"GET {target.path} ({target.label}): expected signed_in={target.signed_in}, page says otherwise"
            )


def measure(server: Server, target: Target, args: argparse.Namespace, use_wrk: bool) -> LoadResult:
    """Warm up, then ``--repeat`` runs; the median run is the figure (the machine may be busy)."""
    url = server.url + target.path

    def once(seconds: float) -> LoadResult:
        if use_wrk:
            return run_wrk(url, seconds, args.connections, target.cookie)
        return run_python_load(server.port, target.path, seconds, args.connections, target.cookie)

    once(args.warmup)
    runs = sorted((once(args.duration) for _ in range(args.repeat)), key=lambda r: r.rps)
    result = runs[len(runs) // 2]
    errors, non_2xx = sum(r.errors for r in runs), sum(r.non_2xx for r in runs)
    flag = f"  !! {non_2xx} non-2xx/3xx, {errors} socket errors" if errors or non_2xx else ""
    latency = f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms" if result.p50_ms is not None else ""
    spread = ", ".join(f"{r.rps:.0f}" for r in runs)
    print(f"    {target.label:<38} {result.rps:>9.0f} req/s   ({latency}; runs {spread}){flag}", flush=True)
    return result


def measure_round(
    server: Server, db: Database, reader: Member, args: argparse.Namespace, use_wrk: bool
) -> tuple[dict[str, tuple[Target, LoadResult]], int]:
    visible = db.count_visitor_posts()
    # About page 500 (the 10,000th newest post), or near the bottom of a smaller board.
    rank = min(args.deep_rank, max(PAGE_SIZE + 1, visible - 2 * PAGE_SIZE))
    deep_id = db.visitor_post_ids_at(rank)
    page = rank // PAGE_SIZE + 1
    targets = [
        Target("healthz", "GET /healthz", "/healthz", None, False),
        Target("visitor", "GET / (visitor)", "/", None, False),
        Target("member", "GET / (signed-in member)", "/", reader.cookie, True),
        Target("deep_visitor", f"GET /?before=… page ~{page} (visitor)", f"/?before={deep_id}", None, False),
        Target("deep_member", f"GET /?before=… page ~{page} (member)", f"/?before={deep_id}", reader.cookie, True),
    ]
    results: dict[str, tuple[Target, LoadResult]] = {}
    for target in targets:
        check_target(server.url, target)
        results[target.key] = (target, measure(server, target, args, use_wrk))
    return results, page


# ---------------------------------------------------------------------------------------------
# Output


SHORT_LABELS = {
    "visitor": "board (visitor)",
    "member": "board (member)",
    "deep_visitor": "deep page (visitor)",
    "deep_member": "deep page (member)",
}


def pct(value: float, base: float) -> str:
    if not base:
        return "n/a"
    share = 100 * value / base
    return f"{share:.0f}%" if share >= 1 else f"{share:.1f}%"


def change(after: float, before: float) -> str:
    if not before:
        return "n/a"
    delta = 100 * (after - before) / before
    return f"{delta:+.0f}%"


def summary(
    rounds: list[tuple[int, dict[str, tuple[Target, LoadResult]], int, PrayResult]],
    args: argparse.Namespace,
    db: Database,
    tool: str,
    total_seconds: float,
) -> str:
    (small_n, small, small_page, small_pray), (large_n, large, large_page, large_pray) = rounds
    lines = []
    lines.append(
        f"prayerboard bench: {db.label}, 1 worker, {tool} ({'-t1 ' if tool == 'wrk' else ''}{args.connections} connections), "
        f"median of {args.repeat} × {args.duration:.0f} s per figure, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    )
    lines.append("")
    lines.append(f"| Requests/second | {small_n:,} posts | {large_n:,} posts | change |")
    lines.append("|---|---:|---:|---:|")

    def row(label: str, key: str, relative: bool = True) -> None:
        a, b = small[key][1], large[key][1]
        hs, hl = small["healthz"][1].rps, large["healthz"][1].rps
        cell_a = f"{a.rps:,.0f}" + (f" ({pct(a.rps, hs)} of healthz)" if relative else "")
        cell_b = f"{b.rps:,.0f}" + (f" ({pct(b.rps, hl)} of healthz)" if relative else "")
        lines.append(f"| {label} | {cell_a} | {cell_b} | {change(b.rps, a.rps)} |")

    row("`GET /healthz`", "healthz", relative=False)
    row("`GET /` visitor", "visitor")
    row("`GET /` signed-in member", "member")
    row(f"`GET /?before=…` visitor (page ~{small_page} / ~{large_page})", "deep_visitor")
    row(f"`GET /?before=…` member (page ~{small_page} / ~{large_page})", "deep_member")
    lines.append(
        f'| "I\'m praying" presses/s ({small_pray.members} members, {small_pray.presses:,} presses) | '
        f"{small_pray.rate:,.0f} ({'OK' if small_pray.ok else 'MISMATCH'}) | "
        f"{large_pray.rate:,.0f} ({'OK' if large_pray.ok else 'MISMATCH'}) | {change(large_pray.rate, small_pray.rate)} |"
    )
    lines.append("")
    for n, res, page in ((small_n, small, small_page), (large_n, large, large_page)):
        deep, first = res["deep_visitor"][1].rps, res["visitor"][1].rps
        lines.append(
            f"- {n:,} posts: page ~{page} is served at {pct(deep, first)} of page 1's rate (visitor; 100% = same cost)."
        )
    for n, pray in ((small_n, small_pray), (large_n, large_pray)):
        lat = sorted(pray.latencies_ms)
        p50 = lat[len(lat) // 2] if lat else float("nan")
        p99 = lat[int(len(lat) * 0.99)] if lat else float("nan")
        lines.append(
            f'- {n:,} posts: "I\'m praying" count check {"OK" if pray.ok else "MISMATCH"}: praying_count={pray.api_count}, '
            f"members praying={pray.praying_members}, prayer rows={pray.prayer_rows}; press latency p50 {p50:.1f} ms, p99 {p99:.1f} ms."
        )
    target_ok = all(
        res[k][1].rps >= 0.5 * res["healthz"][1].rps for res in (small, large) for k in ("visitor", "member")
    )
    losses = [
        f"{SHORT_LABELS[k]} {change(large[k][1].rps, small[k][1].rps)}"
        for k in ("visitor", "member", "deep_visitor", "deep_member")
        if large[k][1].rps < 0.9 * small[k][1].rps
    ]
    lines.append(
        f"- Target board >= 50% of /healthz: {'met' if target_ok else 'NOT met'}. "
        f"No loss from {small_n:,} to {large_n:,} posts (within 10%): "
        f"{'yes' if not losses else 'NO: ' + '; '.join(losses)}."
    )
    lines.append(f"- Whole bench took {total_seconds:.0f} s.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=None, help="bench this EMPTY PostgreSQL database instead of a temporary SQLite file"
    )
    parser.add_argument("--small", type=int, default=2_000, help="posts in the first round (default 2,000)")
    parser.add_argument("--large", type=int, default=100_000, help="posts in the second round (default 100,000)")
    parser.add_argument("--demo-members", type=int, default=50, help="demo members created with the first posts")
    parser.add_argument(
        "--duration", type=float, default=2.0, help="seconds per run (default 2; wrk takes whole seconds)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median counts (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per URL (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument(
        "--deep-rank",
        type=int,
        default=10_000,
        help="the deep page starts after the N-th newest post (default 10,000 = page ~500)",
    )
    parser.add_argument("--pray-members", type=int, default=50, help='members pressing "I\'m praying" (default 50)')
    parser.add_argument("--presses", type=int, default=2_000, help="presses in all, per round (default 2,000)")
    parser.add_argument(
        "--python-loadgen", action="store_true", help="use the Python load generator even when wrk is installed"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (and server log)")
    parser.add_argument("--_loadgen", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.large <= args.small:
        parser.error("--large must be greater than --small")
    if args.pray_members < 1:
        parser.error("--pray-members must be at least 1")
    if args.repeat < 1 or args.duration <= 0:
        parser.error("--repeat must be at least 1 and --duration positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args._loadgen:  # internal: the fallback load generator's own process
        port, path, duration, connections, cookie = json.loads(args._loadgen)
        print(json.dumps(asyncio.run(_python_load(port, path, duration, connections, cookie))))
        return 0

    started = time.perf_counter()
    use_wrk = shutil.which("wrk") is not None and not args.python_loadgen
    if use_wrk:
        tool = "wrk"
    else:
        tool = "Python load generator"
        if not args.python_loadgen:
            print("wrk is not installed; using the Python load generator (its own CPU cost lowers every figure).")
            print("For comparable figures install wrk: sudo apt-get install wrk")

    data_dir = Path(tempfile.mkdtemp(prefix="prayerboard-bench-"))
    # The bench's members post straight away and press often: moderation's first-post approval
    # and hourly limits would only get in the way of measuring.
    env = server_environment(
        data_dir,
        args.database_url,
        PRAYERBOARD_APPROVE_FIRST_POSTS="0",
        PRAYERBOARD_POSTS_PER_HOUR="100000",
        PRAYERBOARD_REGISTRATIONS_PER_HOUR="100000",
    )
    db = Database(args.database_url, data_dir)
    server: Server | None = None
    try:
        print(
            f"== {db.label} in {data_dir if not args.database_url else args.database_url}; load generator: {tool}",
            flush=True,
        )
        cli(env, "migrate")
        if args.database_url and db.count_posts():
            raise SystemExit("the PostgreSQL database already holds posts; point --database-url at an empty database")
        seconds = cli(
            env, "demo", "--members", str(args.demo_members), "--posts", str(args.small), timeout=DEMO_TIMEOUT_S
        )
        db.settle()
        print(f"   seeded {db.count_posts():,} posts in {seconds:.1f} s", flush=True)

        try:
            server = Server(env, data_dir / "server.log")
        except ServerError as failure:
            raise SystemExit(str(failure)) from failure
        print(f"   server pid {server.process.pid} on {server.url}", flush=True)
        reader = register_member(server.url, "bench_reader")
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            members = list(
                pool.map(lambda i: register_member(server.url, f"bench_member_{i:03d}"), range(args.pray_members))
            )
        print(
            f"   registered {len(members) + 1} members through POST /register in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )

        rounds = []
        for n_posts in (args.small, args.large):
            if n_posts != args.small:
                have = db.count_posts()
                # The bench's own members registered since: real members, as far as the demo knows.
                seconds = cli(
                    env,
                    "demo",
                    "--members",
                    "0",
                    "--posts",
                    str(n_posts - have),
                    "--alongside-real-members",
                    timeout=DEMO_TIMEOUT_S,
                )
                db.settle()
                print(f"   appended demo posts: now {db.count_posts():,} posts ({seconds:.1f} s)", flush=True)
            count = db.count_posts()
            print(f"\n== {count:,} posts", flush=True)
            results, page = measure_round(server, db, reader, args, use_wrk)
            pray = pray_test(server, db, members, args.presses, f"{count} posts")
            verdict = "OK" if pray.ok else "MISMATCH"
            print(
                f'    "I\'m praying": {pray.presses:,} presses by {pray.members} members in {pray.seconds:.2f} s = '
                f"{pray.rate:,.0f}/s; praying_count={pray.api_count}, members praying={pray.praying_members}, "
                f"prayer rows={pray.prayer_rows}: {verdict}",
                flush=True,
            )
            for error in pray.errors[:5]:
                print(f"      ! {error}")
            rounds.append((count, results, page, pray))

        if server.process.poll() is not None:
            raise SystemExit(f"the server died during the bench:\n{server.log_tail()}")
        print("\n== Summary (paste into the README)\n")
        print(summary(rounds, args, db, tool, time.perf_counter() - started))
        return 0 if all(r[3].ok for r in rounds) else 1
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"(kept {data_dir})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
