"""Shared fixtures. Service-backed tests talk to real servers; with TOLK_REQUIRE_SERVICES=1 a missing
server fails the test instead of skipping it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tolk.api import auth
from tolk.bus import SCHEMES
from tolk.config import Settings, apertium_installed
from tolk.engines.apertium import installed_modes
from tolk.store.repo import Store
from tolk.testing.standin import StandIn

if TYPE_CHECKING:  # the API's app loads FastAPI: only the tests that use it pay for it
    from fastapi.testclient import TestClient

REQUIRE = os.environ.get("TOLK_REQUIRE_SERVICES") == "1"
PG_ADMIN = os.environ.get("TOLK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MY_ADMIN = os.environ.get("TOLK_TEST_MYSQL", "mysql+pymysql://root@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("TOLK_TEST_REDIS", "redis://127.0.0.1:6379/15")


def run_tolk(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The `tolk` command as a user runs it: a real process, isolated from the caller's TOLK_* settings;
    `input` goes to its stdin."""
    full_env = {**os.environ, "TOLK_CONFIG": "", "COLUMNS": "200", **(env or {})}
    full_env.pop("TOLK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "tolk", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
    )


def need(available: bool, what: str) -> None:
    """Skip when a service is missing, or fail when TOLK_REQUIRE_SERVICES=1."""
    if available:
        return
    if REQUIRE:
        pytest.fail(f"{what} is required (TOLK_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


def need_apertium() -> None:
    need(apertium_installed() and ("en", "es") in installed_modes(), "Apertium with the eng-spa pair")


@pytest.fixture
def apertium() -> None:
    need_apertium()


def _server_database(admin_url: str, what: str) -> Iterator[str]:
    """A fresh, empty database on a real server for one test; dropped afterwards."""
    name = f"tolk_t_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        need(
            False,
            f"{what} at {make_url(admin_url).render_as_string()} ({exc.__class__.__name__})",
        )
        return
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if admin.dialect.name == "postgresql":
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same test body against every supported store."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tolk.db'}"
    elif request.param == "postgresql":
        yield from _server_database(PG_ADMIN, "PostgreSQL")
    else:
        yield from _server_database(MY_ADMIN, "MariaDB/MySQL")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (no schema yet)."""
    yield from _server_database(PG_ADMIN, "PostgreSQL")


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    return f"sqlite:///{tmp_path}/tolk.db"


@pytest.fixture
def redis_url() -> Iterator[str]:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
    except Exception as exc:
        need(False, f"Redis at {REDIS_URL} ({exc.__class__.__name__})")
        return
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


AMQP_URL = os.environ.get("TOLK_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
# every bus module the registry names (tolk.bus.SCHEMES): a new one is in the contract suite at once,
# and fails there until bus_url_for knows where to find one
BUS_KINDS = sorted({module.rsplit(".", 1)[-1] for module, _ in SCHEMES.values()})


def _reachable(url: str, default_port: int) -> bool:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 2).close()
    except OSError:
        return False
    return True


def bus_url_for(kind: str, tmp_path: Path) -> str:
    """The URL of a bus of `kind` for a test (skip, or fail under TOLK_REQUIRE_SERVICES=1, if absent)."""
    if kind == "embedded":
        return f"sqlite:///{tmp_path / 'bus.db'}"
    brokers = {"rabbitmq": (AMQP_URL, 5672), "redis_streams": (REDIS_URL, 6379)}
    if kind not in brokers:
        pytest.fail(f"bus module {kind!r} is registered: give bus_url_for a URL to test it against")
    url, port = brokers[kind]
    need(_reachable(url, port), f"{kind} at {url}")
    return url


async def drop_namespace(url: str, namespace: str, queues: set[str]) -> None:
    """Remove what a test made on a shared broker."""
    if url.startswith("amqp"):
        import aio_pika

        conn = await aio_pika.connect(url)
        async with conn, conn.channel() as channel:
            for name in queues:
                await channel.queue_delete(name)
            for name in ("events", "delays"):
                await channel.exchange_delete(f"{namespace}.{name}")
    elif url.startswith("redis"):
        import redis.asyncio as aredis

        client = aredis.Redis.from_url(url)
        keys = [k async for k in client.scan_iter(f"{namespace}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(params=BUS_KINDS)
def bus_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_bus(bus_kind: str, tmp_path: Path) -> Iterator[Any]:
    """Opens buses of one kind over one fresh namespace (several instances = several workers)."""
    import asyncio

    from tolk.bus import open_bus

    url, namespace = bus_url_for(bus_kind, tmp_path), f"t{uuid.uuid4().hex[:10]}"
    opened: list[Any] = []

    def make(max_deliveries: int = 3) -> Any:
        bus = open_bus(url, namespace=namespace)
        bus.max_deliveries = max_deliveries
        opened.append(bus)
        return bus

    yield make
    queues: set[str] = set()
    for bus in opened:
        queues |= getattr(bus, "declared", set())
    asyncio.run(drop_namespace(url, namespace, queues))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app under uvicorn on a free local port, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def finished_job(
    client: Any, url: str, body: bytes, headers: dict[str, str], wait_s: float = 60
) -> dict[str, Any]:
    """POST a catalog job and poll it until it is no longer queued or running: its last state."""
    created = client.post(url, content=body, headers=headers)
    assert created.status_code == 202, created.text
    deadline = time.monotonic() + wait_s
    while (job := client.get(f"/v1/jobs/{created.json()['id']}", headers=headers).json())["state"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return dict(job)


# --- the command-line tests' project: a Qwen-MT stand-in behind a tolk.toml (tests/test_cli*.py) ---


def dump(db_url: str) -> dict[str, list[Any]]:
    """Every row of every table but the logs of runs and activity: to prove a command changed nothing."""
    engine = create_engine(db_url)
    out = {}
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            if table not in {"runs", "activity", "alembic_version"}:
                out[table] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
    engine.dispose()
    return out


@pytest.fixture
def server() -> Iterator[StandIn]:
    with StandIn() as s:
        yield s


@pytest.fixture
def workdir(tmp_path: Path, server: StandIn) -> Path:
    (tmp_path / "tolk.toml").write_text(
        'default_engine = "qwen"\n'
        "[engines.qwen]\n"
        'kind = "qwen-mt"\nmodel = "qwen-mt-turbo"\n'
        f'base_url = "{server.base_url}"\napi_keys = ["${{TEST_KEY}}"]\n'
        "price_in_per_mtok = 0.16\nprice_out_per_mtok = 0.49\n"
        "[engines.other]\n"
        'kind = "dummy"\nmodel = "other"\n'
        # these tests are about caching and storage; the refine loop has tests of its own
        "[quality]\nrounds = 0\n"
    )
    return tmp_path


# --- the API tests' app: the dummy engine on SQLite, a token of every role (tests/test_api*.py) ---


def one_engine(folder: Path, kind: str = "dummy") -> Settings:
    """Settings with one local engine of `kind` (the default) and a SQLite store in `folder`."""
    return Settings(
        default_engine=kind,
        engines={kind: {"kind": kind, "external": False}},
        store=f"sqlite:///{folder / 'tolk.db'}",
    )


def tokens_for(s: Settings, **wanted: tuple[auth.Role, list[str]]) -> dict[str, str]:
    """API tokens in the settings' store: name=(role, languages) each; returns name -> token."""
    store = Store(s.store)
    try:
        return {name: auth.create(store, name, role, langs) for name, (role, langs) in wanted.items()}
    finally:
        store.close()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    s = one_engine(tmp_path)
    store = Store(s.store)
    tokens = {role.name: auth.create(store, role.name, role, []) for role in auth.Role}
    tokens["ko-only"] = auth.create(store, "ko", auth.Role.reviewer, ["ko"])
    revoked = auth.create(store, "old", auth.Role.admin, [])
    auth.revoke(store, auth.tokens(store)[-1].id)
    tokens["revoked"] = revoked
    store.close()
    from fastapi.testclient import TestClient

    from tolk.api.app import create_app

    with TestClient(create_app(s)) as client:
        yield client, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
