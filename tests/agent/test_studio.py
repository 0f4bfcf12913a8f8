"""The c360 graph for LangGraph's tooling (agent/studio.py, langgraph.json).

In process: a turn with LangChain messages, the write's interrupt, approve (written once) and
cancel (nothing written). Then the smoke test: a real ``langgraph dev`` (langgraph-cli[inmem], in
``.venv-langgraph`` from ``make langgraph-env``) on loopback serves the graph; a turn sent with
langgraph's SDK stops at the interrupt showing the write, and resuming it writes once.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from sqlalchemy import func, select

from agent.studio import build_studio_graph
from domain.models import Interaction
from domain.settings import Settings
from tests.factories import make_customer, make_user

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-20T10:30:00+06:00"


@pytest.fixture
def world(sessions):
    with sessions.begin() as session:
        rina = make_user(session, "Rina Akter")
        rahim = make_customer(session, "Rahim Uddin", phone="01712345678", city="Dhaka", assigned_to=rina)
        return {"rahim": rahim.id}


def logged(sessions, customer_id: int) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction).where(Interaction.customer_id == customer_id))


def test_studio_graph_stops_at_the_write_and_resumes(db_url, sessions, world, tmp_path, monkeypatch):
    monkeypatch.setenv("C360_LANGGRAPH_USER", "Rina Akter")
    settings = Settings(_env_file=None, database_url=db_url, data_dir=tmp_path, llm_backend="offline",
                        timezone="Asia/Dhaka", now=NOW)
    graph = build_studio_graph(settings).builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    first = graph.invoke({"messages": [{"role": "user", "content": "show me Rahim Uddin"}]}, config)
    assert "Rahim Uddin" in first["messages"][-1].content
    asked = graph.invoke({"messages": [{"role": "user", "content": "log a call with him, no answer"}]}, config)
    proposal = asked["__interrupt__"][0].value
    assert proposal["tool"] == "log_interaction" and proposal["customer"]["id"] == world["rahim"]
    assert logged(sessions, world["rahim"]) == 0
    done = graph.invoke(Command(resume={"decision": "approve"}), config)
    assert "Logged" in done["messages"][-1].content
    assert logged(sessions, world["rahim"]) == 1

    graph.invoke({"messages": [{"role": "user", "content": "log another call with him, no answer"}]}, config)
    cancelled = graph.invoke(Command(resume="cancel"), config)
    assert "__interrupt__" not in cancelled
    assert logged(sessions, world["rahim"]) == 1


def langgraph_python() -> tuple[str | None, str]:
    """A Python that can run ``langgraph dev``, and why not when there is none."""
    candidates = [ROOT / ".venv-langgraph" / "bin" / "python", Path(sys.executable)]
    for python in candidates:
        if not python.exists():
            continue
        probe = subprocess.run([str(python), "-c", "import langgraph_cli, langgraph_api, langgraph_runtime_inmem"],
                               capture_output=True, timeout=120)
        if probe.returncode == 0:
            return str(python), ""
    return None, "langgraph-cli[inmem] is not installed: `make langgraph-env` makes .venv-langgraph"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # one server process is enough
def test_langgraph_dev_serves_the_graph_with_its_approval_interrupt(db_url, sessions, world, tmp_path):
    python, why = langgraph_python()
    if python is None:
        pytest.skip(why)
    from langgraph_sdk import get_sync_client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "C360_DATABASE_URL": db_url, "C360_DATA_DIR": str(tmp_path), "C360_NOW": NOW,
           "C360_TIMEZONE": "Asia/Dhaka", "C360_LLM_BACKEND": "offline", "C360_LANGGRAPH_USER": "Rina Akter",
           "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false", "LANGCHAIN_TRACING_V2": "false",
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [python, "-m", "langgraph_cli", "dev", "--config", str(ROOT / "langgraph.json"), "--no-browser",
         "--no-reload", "--allow-blocking", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, server.stdout.read().decode(errors="replace")[-3000:]
            try:
                if httpx.get(f"{base}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "langgraph dev did not start in 180 s"
            time.sleep(0.5)
        client = get_sync_client(url=base)
        assert [a["graph_id"] for a in client.assistants.search()] == ["c360"]
        thread = client.threads.create()["thread_id"]
        asked = client.runs.wait(thread, "c360", input={
            "messages": [{"role": "user", "content": "log a call with Rahim Uddin, no answer"}]})
        interrupt = asked["__interrupt__"][0]["value"]
        assert interrupt["kind"] == "confirm_write" and "Rahim Uddin" in interrupt["summary"]
        assert logged(sessions, world["rahim"]) == 0  # nothing written while it waits
        done = client.runs.wait(thread, "c360", command={"resume": {"decision": "approve"}})
        assert "Logged" in done["messages"][-1]["content"]
        assert logged(sessions, world["rahim"]) == 1
    finally:
        stop(server)


def stop(server: subprocess.Popen) -> None:
    """End the server and every process it started (its own session), then reap it."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    server.wait()

