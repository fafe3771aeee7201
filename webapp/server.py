"""Run the app under real gunicorn in a child process, on the loopback (tests and benchmarks).

:func:`gunicorn_server` starts ``gunicorn --config deploy/gunicorn.conf.py`` on ``127.0.0.1`` and a
free port, waits (bounded) until it answers, yields its base URL and stops it on exit — the
master and its workers, even when the block fails. Production uses ``make serve``, which runs the
same configuration.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from parcs._errors import ParcsError

#: The gunicorn configuration shipped with the repository.
CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it listens and its master process."""

    host: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        """The base URL (``http://127.0.0.1:PORT``)."""
        return f"http://{self.host}:{self.port}"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        conn.request("GET", "/api/health")
        conn.getresponse().read()
        conn.close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def gunicorn_server(
    *, build: Path, workers: int = 1, app: str = "webapp:create_app()",
    env: Mapping[str, str] | None = None, extra_args: Sequence[str] = (), boot_timeout: float = 60.0,
) -> Iterator[Server]:
    """Serve the app on ``build`` with gunicorn on a free loopback port for the ``with`` block.

    Parameters
    ----------
    build
        The build folder (``PARCS_BUILD_DIR`` of the server).
    workers
        Number of gunicorn workers.
    app
        The WSGI application spec (e.g. ``"webapp:create_app({'WARM_UP': False})"``).
    env, extra_args
        More environment variables and gunicorn options.
    boot_timeout
        Seconds to wait for the first answer; past it the server is stopped and
        :class:`parcs.ParcsError` raised with its output.
    """
    host, port = "127.0.0.1", free_port()
    root = str(CONFIG.parent.parent)
    child_env = {**os.environ, **(env or {}), "PARCS_BUILD_DIR": str(build),
                 "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "--bind", f"{host}:{port}",
           "--workers", str(workers), "--access-logfile", "/dev/null", *extra_args, app]
    with tempfile.TemporaryDirectory(prefix="parcs-gunicorn.") as tmp:
        log = Path(tmp) / "gunicorn.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, cwd=root, env=child_env, stdout=subprocess.DEVNULL,
                                    stderr=sink, start_new_session=True)
        try:
            deadline = time.monotonic() + boot_timeout
            while not _answers(host, port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-2000:]
                    raise ParcsError(f"gunicorn did not start (exit {proc.poll()}): {tail}")
                time.sleep(0.1)
            yield Server(host, port, proc, log)
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the master (SIGTERM: graceful), then its whole process group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
