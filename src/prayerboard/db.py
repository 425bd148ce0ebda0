"""Database engines: a kept-connection SQLite engine, PostgreSQL via asyncpg, and migrations.

Piccolo's stock SQLite engine opens a new connection for every query (about 2.5 ms for a
20-row select on this hardware class, against 0.05 ms on a kept connection) and begins
transactions DEFERRED, which fail as "database is locked" when two writers upgrade at once.
``PooledSQLiteEngine`` keeps a small pool of connections in WAL mode with a busy timeout and
begins every transaction IMMEDIATE, while still going through the ORM.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

SQLITE_BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for another before giving up
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",  # readers never block the writer, nor the writer readers
    "PRAGMA synchronous = NORMAL",  # durable at every checkpoint; safe with WAL
    f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, returned to the pool instead of closed."""

    engine: PooledSQLiteEngine

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.acquire()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self.engine.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite through Piccolo, on kept connections (WAL, busy timeout, IMMEDIATE writes).

    The pool is opened by ``start_connection_pool`` in the app's lifespan, on the app's event
    loop: a few aiosqlite connections (each with its own thread) for writes and transactions,
    which may have to wait for another process's write lock, and one plain connection on the
    loop's thread for lone SELECTs, which in WAL mode never wait. Without the pool (command-line
    tools, tests) each query opens its own connection, as the stock engine does, but with the
    same pragmas.
    """

    def __init__(self, path: str, pool_size: int = 4, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, **kwargs)
        self.pool_size = pool_size
        self._idle: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all: list[aiosqlite.Connection] = []
        self._reader: sqlite3.Connection | None = None

    async def _connect(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        try:
            connection.row_factory = dict_factory  # type: ignore[assignment]
            for pragma in SQLITE_PRAGMAS:
                await connection.execute(pragma)
        except BaseException:
            # A file that opens but is no database, or cannot take WAL: without this close the
            # connection's thread keeps the process alive after its start has failed.
            await connection.close()
            raise
        return connection

    def _open_reader(self) -> sqlite3.Connection:
        reader = sqlite3.connect(**self.connection_kwargs)
        reader.row_factory = dict_factory
        for pragma in SQLITE_PRAGMAS:
            reader.execute(pragma)
        # A safety net: nothing may ever write through the event loop's connection.
        reader.execute("PRAGMA query_only = ON")
        return reader

    async def start_connection_pool(self, **_: Any) -> None:
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        for _slot in range(self.pool_size):
            connection = await self._connect()
            self._all.append(connection)
            self._idle.put_nowait(connection)
        self._reader = self._open_reader()

    async def close_connection_pool(self) -> None:
        connections, self._all, self._idle = self._all, [], None
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
        for connection in connections:
            await connection.close()

    async def acquire(self) -> aiosqlite.Connection:
        if self._idle is None:
            return await self._connect()
        return await self._idle.get()

    async def release(self, connection: aiosqlite.Connection) -> None:
        if self._idle is not None and connection in self._all:
            self._idle.put_nowait(connection)
        else:
            await connection.close()

    async def get_connection(self) -> aiosqlite.Connection:
        return await self._connect()

    async def _run(self, connection: aiosqlite.Connection, query: str, args: list[Any] | None) -> list[Any]:
        # One round trip to the connection's thread (execute, fetch and close together).
        return list(await connection.execute_fetchall(query, args or []))

    async def _run_in_new_connection(self, query: str, args=None, query_type: str = "generic", table=None):
        if self._reader is not None and query.lstrip()[:6].upper() == "SELECT":
            # Reads run right here on the event loop's own connection. In WAL mode a read never
            # waits for a writer, and a page-sized select takes ~50 µs: far less than handing
            # it to a connection thread, which under load waits for the GIL (up to 5 ms).
            return self._reader.execute(query, args or []).fetchall()
        connection = await self.acquire()
        try:
            # The connection is in autocommit mode (isolation_level=None), so a lone statement
            # commits by itself; nothing is left open on a pooled connection.
            return await self._run(connection, query, args)
        finally:
            await self.release(connection)

    async def _run_in_existing_connection(
        self, connection, query: str, args=None, query_type: str = "generic", table=None
    ):
        return await self._run(connection, query, args)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        """Begin a transaction, IMMEDIATE unless told otherwise, so writers queue instead of failing."""
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    def atomic(self, transaction_type: TransactionType = TransactionType.immediate):
        return super().atomic(transaction_type=transaction_type)


# PostgreSQL: every wait on the database is bounded, so a lost or killed server costs a request
# an error (answered 503) instead of holding it, and the process, for good (docs/security.md,
# "Faults").
POSTGRES_CONNECT_TIMEOUT_S = 5  # a reachable server answers a new connection in milliseconds
POSTGRES_COMMAND_TIMEOUT_S = 30  # no page's query comes near this; a hung socket does
POSTGRES_ACQUIRE_TIMEOUT_S = 10  # a request waits this long for a free pooled connection
POOL_CLOSE_TIMEOUT_S = 5  # shutdown waits this long for connections in use, then cuts them


def _connection_broken(exc: BaseException) -> bool:
    """True when ``exc`` leaves an asyncpg connection unusable (killed, closed, or confused)."""
    import asyncpg

    return isinstance(
        exc,
        (
            OSError,
            asyncpg.exceptions.PostgresConnectionError,
            asyncpg.exceptions.OperatorInterventionError,
            asyncpg.exceptions.InterfaceError,
            # "cannot switch to state …; another operation is in progress": the protocol lost
            # track after the server ended the connection mid-statement.
            asyncpg.exceptions.InternalClientError,
        ),
    )


def _cut(connection: Any) -> None:
    """Terminate a connection whose state is unknown, so the pool opens a new one in its place."""
    # Already closed, or already handed back: nothing left to cut.
    with contextlib.suppress(Exception):
        connection.terminate()


class ResilientPostgresTransaction(PostgresTransaction):
    """A Piccolo transaction whose connection always goes back to the pool, or is cut.

    Piccolo's own transaction returns its connection only when the rollback succeeds. When the
    server kills the connection mid-transaction the rollback fails too, the connection never
    goes back, and after ``max_size`` such faults every request waits for a connection forever.
    Here a connection whose commit or rollback failed is terminated (its state is unknown) and
    released all the same, so the pool replaces it.
    """

    engine: ResilientPostgresEngine

    async def get_connection(self) -> Any:
        if self.engine.pool:
            return await self.engine.pool.acquire(timeout=POSTGRES_ACQUIRE_TIMEOUT_S)
        return await self.engine.get_new_connection()

    async def begin(self) -> None:
        try:
            await self.transaction.start()
        except Exception as exc:
            # A pooled connection killed while idle fails at BEGIN, before anything was sent
            # that could have changed data: begin once more on a fresh connection.
            if not (_connection_broken(exc) and self.engine.pool):
                raise
            _cut(self.connection)
            await self.engine.pool.release(self.connection)
            self.connection = await self.get_connection()
            self.transaction = self.connection.transaction()
            await self.transaction.start()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    try:
                        await self.rollback()
                    except Exception:  # the original exception is the one that matters
                        _cut(self.connection)
                    else:
                        if _connection_broken(exception):
                            _cut(self.connection)
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    _cut(self.connection)
                    raise
        finally:
            try:
                if self.engine.pool:
                    await self.engine.pool.release(self.connection)
                elif not self.connection.is_closed():
                    await self.connection.close(timeout=POSTGRES_COMMAND_TIMEOUT_S)
            finally:
                self.engine.current_transaction.reset(self.context)
        return exception is None


class ResilientPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine with bounded waits and a pool that sheds broken connections."""

    def __init__(self, dsn: str) -> None:
        super().__init__(
            config={"dsn": dsn, "timeout": POSTGRES_CONNECT_TIMEOUT_S, "command_timeout": POSTGRES_COMMAND_TIMEOUT_S}
        )

    async def check_version(self) -> None:
        """Skip Piccolo's version check on construction: it connects while the app is being built,
        and on an unreachable server prints a warning of its own; the startup check reports that."""

    def transaction(self, allow_nested: bool = True) -> ResilientPostgresTransaction:
        return ResilientPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def _run_in_pool(self, query: str, args: Any = None) -> Any:
        if not self.pool:
            raise ValueError("A pool isn't currently running.")
        # A read that meets a connection killed while idle in the pool runs once more on a fresh
        # one; a write does not, since the server may have applied it before the connection died.
        attempts = 2 if query.lstrip()[:6].upper() == "SELECT" else 1
        for attempt in range(1, attempts + 1):
            async with self.pool.acquire(timeout=POSTGRES_ACQUIRE_TIMEOUT_S) as connection:
                try:
                    return await connection.fetch(query, *(args or []))
                except Exception as exc:
                    if not _connection_broken(exc):
                        raise
                    _cut(connection)  # never back into use: the pool replaces it
                    if attempt == attempts:
                        raise
        raise AssertionError("unreachable")

    async def close_connection_pool(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_S)
        except (TimeoutError, Exception):  # a connection still busy or broken: cut them all
            pool.terminate()


def build_engine(database_url: str, sqlite_pool_size: int = 4, postgres_pool_size: int = 10) -> Engine:
    """Make the engine that ``PRAYERBOARD_DATABASE_URL`` names."""
    if database_url.startswith("sqlite:///"):
        path = unquote(database_url[len("sqlite:///") :])
        return PooledSQLiteEngine(path=path or "prayerboard.sqlite3", pool_size=sqlite_pool_size)
    parsed = urlparse(database_url)
    if parsed.scheme in {"postgresql", "postgres"}:
        return ResilientPostgresEngine(database_url)
    raise ValueError(f"unsupported database URL: {database_url!r}")


_engine: Engine | None = None


def configure(engine: Engine) -> Engine:
    """Bind every table (ours and Piccolo's migration table) to ``engine``."""
    global _engine
    from piccolo.apps.migrations.tables import Migration

    from prayerboard import tables

    _engine = engine
    all_tables: tuple[type[Table], ...] = (*tables.ALL_TABLES, Migration)
    for table in all_tables:
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    """The engine the tables are bound to; configured from the environment on first use."""
    if _engine is None:
        from prayerboard.settings import Settings

        settings = Settings.from_env()
        configure(build_engine(settings.database_url, settings.sqlite_pool_size, settings.postgres_pool_size))
    assert _engine is not None
    return _engine


async def start_pool(engine: Engine, postgres_pool_size: int = 10) -> None:
    """Open the engine's connections on the running event loop."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=postgres_pool_size)
    else:
        await engine.start_connection_pool()


POOL_CLOSE_S = 5.0  # a pool whose connections do not come back within this is torn down


async def close_pool(engine: Engine) -> None:
    """Close the pool gracefully, or tear it down when a connection hangs on a database that
    stopped answering: a process told to stop must stop."""
    try:
        await asyncio.wait_for(engine.close_connection_pool(), POOL_CLOSE_S)
    except TimeoutError:
        pool = getattr(engine, "pool", None)
        if pool is not None:
            pool.terminate()


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or current_engine()).engine_type == "sqlite"


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[Any]:
    """A write transaction on the current engine (IMMEDIATE on SQLite)."""
    async with current_engine().transaction() as txn:
        yield txn


async def migrate(quiet: bool = True) -> None:
    """Apply every committed migration that has not yet run."""
    import os

    os.environ.setdefault("PICCOLO_CONF", "prayerboard.piccolo_conf")
    current_engine()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    if quiet:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # noqa: ASYNC230 - /dev/null never blocks
            result = await run_forwards(app_name="prayerboard")
    else:
        result = await run_forwards(app_name="prayerboard")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        sqlite_ids_never_reused(engine.connection_kwargs["database"])


_PLAIN_INTEGER_ID = '"id" INTEGER PRIMARY KEY NOT NULL'


def sqlite_ids_never_reused(path: str) -> list[str]:
    """Give every SQLite table with an integer id AUTOINCREMENT; return the tables rebuilt.

    A plain ``INTEGER PRIMARY KEY`` hands the id of the newest deleted row to the next insert,
    so a kept session, report or revision would point at someone else's row (docs/privacy.md,
    "Ids"). SQLite cannot add AUTOINCREMENT to a table, so each such table is rebuilt in one
    transaction with foreign keys off, as SQLite's documented procedure for schema changes
    does: new table, copy, drop, rename, then its indexes and triggers again. Idempotent: a
    table that already has AUTOINCREMENT is left alone. The sequence starts past every id the
    table holds now.
    """
    connection = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    rebuilt: list[str] = []
    try:
        connection.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction
        connection.execute("BEGIN IMMEDIATE")
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE ?", (f"%{_PLAIN_INTEGER_ID}%",)
        ).fetchall()
        for name, sql in tables:
            if "AUTOINCREMENT" in sql.upper():
                continue
            dependents = [
                row[0]
                for row in connection.execute(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
                    (name,),
                )
            ]
            new_name = f"{name}__autoincrement"
            new_sql = sql.replace(_PLAIN_INTEGER_ID, '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL', 1)
            new_sql = new_sql.replace(f'CREATE TABLE "{name}"', f'CREATE TABLE "{new_name}"', 1).replace(
                f"CREATE TABLE {name} ", f'CREATE TABLE "{new_name}" ', 1
            )
            connection.execute(new_sql)
            connection.execute(f'INSERT INTO "{new_name}" SELECT * FROM "{name}"')
            connection.execute(f'DROP TABLE "{name}"')
            connection.execute(f'ALTER TABLE "{new_name}" RENAME TO "{name}"')
            for statement in dependents:
                connection.execute(statement)
            rebuilt.append(name)
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken while rebuilding {rebuilt}: {problems[:5]}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.close()
    return rebuilt


def index_migration(migration_id: str, description: str, statements: tuple[str, ...]) -> Any:
    """A Piccolo migration that creates indexes Piccolo's column options cannot express.

    Backwards, it drops them by the names in their ``CREATE ... INDEX name ON`` statements.
    """
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager

    manager = MigrationManager(migration_id=migration_id, app_name="prayerboard", description=description)

    async def create_indexes() -> None:
        for statement in statements:
            await current_engine().run_ddl(statement)

    async def drop_indexes() -> None:
        for statement in reversed(statements):
            name = statement.split(" INDEX ")[1].split(" ON ")[0]
            await current_engine().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager


def is_unique_violation(exc: BaseException) -> bool:
    """True when ``exc`` is a unique-constraint violation on either engine."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, asyncpg.UniqueViolationError)


# SQLite's messages for a database it cannot open, read or write: a fault of the disk or the
# file, not of the query (a query's own mistakes, "no such table" and the like, stay 500s).
_SQLITE_STORAGE_MESSAGES = (
    "unable to open",
    "readonly",
    "read-only",
    "disk",
    "full",
    "locked",
    "malformed",
    "not a database",
    "i/o",
)


def storage_error_types() -> tuple[type[Exception], ...]:
    """Exception classes that can mean a database or Redis is unreachable or cannot write."""
    import asyncpg
    import redis.exceptions

    return (
        OSError,  # refused, reset, timed out (asyncio.TimeoutError is TimeoutError, an OSError)
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.InterfaceError,  # "connection is closed", "another operation is in progress"
        asyncpg.exceptions.InternalClientError,  # the protocol's state lost after a killed connection
        asyncpg.exceptions.OperatorInterventionError,  # pg_terminate_backend, server shutting down
        asyncpg.exceptions.InsufficientResourcesError,  # the server's disk is full, too many connections
        sqlite3.DatabaseError,  # "file is not a database" is a DatabaseError; sorted by its message
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        redis.exceptions.BusyLoadingError,
        redis.exceptions.OutOfMemoryError,  # Redis at maxmemory refuses writes: its "disk full"
        redis.exceptions.ReadOnlyError,  # a replica, or a primary refusing writes after a failed save
    )


def is_storage_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database or Redis cannot be reached, read or written."""
    if isinstance(exc, sqlite3.DatabaseError):
        return any(part in str(exc).lower() for part in _SQLITE_STORAGE_MESSAGES)
    return isinstance(exc, storage_error_types())


def check_sqlite_writable(engine: Engine) -> None:
    """Raise ``sqlite3.DatabaseError`` unless the SQLite file reads as a database and takes a write lock."""
    assert isinstance(engine, SQLiteEngine)
    connection = sqlite3.connect(engine.connection_kwargs["database"], timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the file's header
        connection.execute("BEGIN IMMEDIATE")  # the lock every write needs; nothing is written
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def display_address(url: str) -> str:
    """A database or Redis URL fit for a message: the password left out."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)).geturl()


def describe_storage_error(exc: BaseException) -> str:
    """One line for the log or the terminal: the error's kind and its first line."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer in time"
    return f"{type(exc).__name__}: {detail}"


def sqlite_version() -> tuple[int, ...]:
    return sqlite3.sqlite_version_info
