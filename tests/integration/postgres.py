"""A private PostgreSQL cluster for the shared ledger's tests (and the benchmark).

initdb and pg_ctl from Debian's `postgresql` (the newest /usr/lib/postgresql/*/bin), in a
folder of its own under the system's temp folder, as an unprivileged user: PostgreSQL refuses
to run as root, so a root test run uses `runuser -u nobody --` (or a user of its own when
there is no `nobody`). The server listens on 127.0.0.1 only, on a free port, with no Unix
socket, and trusts connections from 127.0.0.1 only. A system cluster that the Debian package
may have started is neither used nor touched.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

DATABASE = "ledger"
SUPERUSER = "ledger"
# The one user that must give a password (scram-sha-256), for the password file's test.
PASSWORD_USER = "ledger_password"  # noqa: S105 a user name
# The user the server runs as when the tests run as root.
SERVER_USER_CANDIDATES = ("nobody", "ndnclient-pg")
START_TIMEOUT = 30  # seconds: pg_ctl -w waits at most this long


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout), or None."""
    candidates = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        try:
            major = int(folder.parent.name)
        except ValueError:
            continue
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            candidates.append((major, folder))
    return max(candidates)[1] if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> str | None:
    """None when not root (the server runs as ourselves); else an unprivileged user that
    exists, created (a system user without a login) if none does. Idempotent."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USER_CANDIDATES:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    name = SERVER_USER_CANDIDATES[-1]
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=False,  # another run may have created it just now; checked below
        capture_output=True,
        timeout=30,
    )
    pwd.getpwnam(name)  # KeyError if it could not be created
    return name


class PostgresCluster:
    """One private cluster: `start()`, `stop()` (immediate: like a crash or a pulled cable
    as far as the clients see), `start()` again, `destroy()` at the end."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.user = _server_user()
        # Not pytest's tmp_path: that is root's alone (0700), and the server's user must
        # reach its folder.
        self.folder = Path(tempfile.mkdtemp(prefix="ndnclient-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.running = False
        self._databases = 0
        self._initdb()

    @property
    def url(self) -> str:
        """The URL the ledger is given: no password (trust on 127.0.0.1)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *command: str, timeout: float = START_TIMEOUT + 10) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user is not None else []
        done = subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.folder,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}\n{log[-4000:]}"
            )

    def _initdb(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "reject",  # replaced by the pg_hba.conf below
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",  # a test cluster: the folder goes away at the end
        )
        (self.data / "pg_hba.conf").write_text(
            "# TYPE DATABASE USER ADDRESS METHOD\n"
            f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# ndnclient tests: loopback only, no Unix socket, a free port\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                "unix_socket_directories = ''\n"
                "max_connections = 40\n"
                "shared_buffers = 32MB\n"
            )

    def start(self) -> None:
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--wait",
            "--timeout",
            str(START_TIMEOUT),
            "start",
        )
        self.running = True
        self._wait_until_accepting()

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with psycopg.connect(self._admin_url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _admin_url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str = DATABASE) -> str:
        """Create a database (a name made of letters, digits and _) and return its URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(name)
        with psycopg.connect(
            self._admin_url("postgres"), autocommit=True, connect_timeout=5
        ) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self._admin_url(name)

    def fresh_database(self) -> str:
        """A new, empty database for one test; its URL."""
        self._databases += 1
        return self.create_database(f"{DATABASE}_{self._databases}")

    def stop(self) -> None:
        """Stop at once (no shutdown checkpoint, clients cut off)."""
        if not self.running:
            return
        self._run(
            str(self.bin_dir / "pg_ctl"), "--pgdata", str(self.data), "--mode", "immediate", "stop"
        )
        self.running = False

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The server away for the block, back (and accepting) after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def add_password_user(self, password: str) -> str:
        """Create PASSWORD_USER with `password` (owner of a fresh database); that database's
        URL, without the password."""
        url = self.fresh_database()
        database = url.rsplit("/", 1)[1]
        with psycopg.connect(self._admin_url(database), autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(PASSWORD_USER), sql.Literal(password)
                )
            )
            connection.execute(
                sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(sql.Identifier(PASSWORD_USER))
            )
        return f"postgresql://{PASSWORD_USER}@127.0.0.1:{self.port}/{database}"

    def connect(self, url: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
        """A connection of the tests' own (to `url`, else the `ledger` database), e.g. to
        change a row behind the ledger's back."""
        return psycopg.connect(url or self.url, connect_timeout=5)

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def private_cluster() -> Iterator[PostgresCluster]:
    """A started cluster with the `ledger` database; stopped and removed at the end."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL is not installed (/usr/lib/postgresql/*/bin): run scripts/setup.sh"
        )
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One private cluster for a test module; `fresh_database` gives each test its own."""
    if postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed (/usr/lib/postgresql/*/bin): run scripts/setup.sh")
    with private_cluster() as cluster:
        yield cluster
