"""Chat turns per second over HTTP: starts ``c360 serve`` on the current settings' database (the
demo data: ``c360 demo-data`` first) and drives ``POST /chat`` from a few concurrent clients.

    python scripts/bench_http_chat.py --turns 300 --clients 4

Each client holds one conversation and cycles through a mix of questions (call list, a 360 view,
an RFM score, the RFM breakdown). Prints turns/s and latency percentiles. Loopback only; bounded.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

MESSAGES = ["who should I call today?", "tell me about #{id}", "what segment is #{id} in?", "RFM breakdown",
            "my hot leads"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="total chat turns")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "C360_CHAT_RATE_LIMIT_PER_MINUTE": "0"}
    c360 = str(Path(sys.executable).with_name("c360"))  # the venv's console script
    server = subprocess.Popen([c360, "serve", "--demo", "--port", str(port),
                               "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        token = httpx.get(f"{base}/demo-token").json()["token"]
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        per_client = args.turns // args.clients

        def client(n: int) -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
                thread = None
                for i in range(per_client):
                    message = MESSAGES[(n + i) % len(MESSAGES)].format(id=1 + (n * 97 + i * 31) % 2000)
                    started = time.perf_counter()
                    response = http.post("/chat", json={"message": message, "thread_id": thread})
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        if response.status_code != 200:
                            failures.append(response.status_code)
                    if response.status_code == 200:
                        thread = response.json()["thread_id"]

        started = time.perf_counter()
        workers = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - started
        q = statistics.quantiles(latencies, n=100)
        print(f"{len(latencies)} turns from {args.clients} clients in {wall:.1f} s: {len(latencies) / wall:.1f} turns/s; "
              f"latency p50 {q[49] * 1000:.0f} ms, p90 {q[89] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms; "
              f"non-200: {len(failures)}")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
