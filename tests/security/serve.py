"""A real ``c360 serve`` process on a free loopback port, for attacks that need the real server
(its access log, uvicorn's socket, demo mode)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    base: str
    port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def c360_serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``python -m channels.cli serve`` with a SQLite database in ``tmp_path``; stderr goes to a file
    (read it with ``Served.log()``, complete once the block has ended)."""
    port = free_port()
    data = tmp_path / "data"
    environment = {**os.environ, "C360_DATA_DIR": str(data), "C360_DATABASE_URL": f"sqlite:///{data / 'c360.db'}",
                   "C360_LLM_BACKEND": "offline", **(env or {})}
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "channels.cli", "serve", "--port", str(port), *args],
                                   cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=stderr)
    served = Served(f"http://127.0.0.1:{port}", port, log_path)
    try:
        deadline = time.monotonic() + 180  # a loaded CI machine starts slowly
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"c360 serve exited with {process.returncode}:\n{served.log()}")
            try:
                if httpx.get(f"{served.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"c360 serve did not start:\n{served.log()}")
            time.sleep(0.2)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
