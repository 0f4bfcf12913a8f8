"""Start-up: ``c360 --help`` (and a command's --help) loads typer and rich, not the product.

Checked on what a fresh interpreter has imported (``sys.modules``), not on a timing, so the test
holds on a loaded machine: the heavy libraries (the database layer, numpy / scipy, the vector
store, the model clients, the agent graph, the web framework) load only when a command runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pydantic is not in the list: typer itself (0.29) builds a command's parameters with it
HEAVY = (
    "sqlalchemy", "alembic", "numpy", "scipy", "chromadb", "openai", "langgraph",
    "langchain_core", "fastapi", "uvicorn", "duckdb", "httpx", "domain.models", "agent", "tools",
)

PROBE = """
import json, sys
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["c360", *args]
from channels.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": sorted(set(heavy) & set(sys.modules))}),
      file=sys.stderr)
"""


def _loaded(args: list[str], data_dir: Path, env: dict[str, str] | None = None) -> dict:
    # -c puts the working directory first on sys.path: this checkout's code, not an installed copy
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "C360_DATA_DIR": str(data_dir), "C360_DATABASE_URL": "", **(env or {})},
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["bench", "--help"], ["import", "--help"]])
def test_help_loads_no_heavy_module(args, tmp_path):
    result = _loaded(args, tmp_path)
    assert result["code"] == 0
    assert result["loaded"] == []


def test_the_probe_sees_a_command_that_does_load_them(tmp_path):
    # the same probe on a command that needs the database: proves the check can fail
    result = _loaded(["users", "list"], tmp_path)
    assert "sqlalchemy" in result["loaded"]


def test_ask_with_the_offline_model_loads_no_optional_heavy_module(tmp_path):
    """A whole ``c360 ask`` turn on the call list: the database layer and the agent load, but not
    scipy (CLV fits), chromadb (reply drafts), the openai client (model servers) or the web framework."""
    env_now = {"C360_NOW": "2026-11-20T10:30:00+06:00", "C360_LLM_BACKEND": "offline"}
    added = _loaded(["users", "add", "Rina Akter", "--role", "admin"], tmp_path, env_now)
    assert added["code"] == 0
    result = _loaded(["ask", "who should I call today?"], tmp_path, env_now)
    assert result["code"] == 0
    assert "sqlalchemy" in result["loaded"] and "langgraph" in result["loaded"]
    assert not {"scipy", "chromadb", "openai", "fastapi", "uvicorn", "duckdb"} & set(result["loaded"])
