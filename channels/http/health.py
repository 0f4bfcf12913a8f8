"""``GET /healthz``: database reachable, schema revision, model backend, Slack on or off (no token needed)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from channels.http.deps import RuntimeDep
from channels.http.schemas import DatabaseHealth, Health
from domain.health import database_status

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health,
            responses={503: {"model": Health, "description": "The database is unreachable or not migrated"}},
            summary="Is the server able to answer? 200 when the database is reachable and migrated")
def healthz(runtime: RuntimeDep, request: Request) -> JSONResponse:
    db = database_status(runtime.sessions)
    health = Health(
        status="ok" if db.up_to_date else "degraded",
        database=DatabaseHealth(reachable=db.reachable, backend=runtime.engine.dialect.name, revision=db.revision,
                                head=db.head, up_to_date=db.up_to_date, error=db.error),
        model_backend=runtime.agent.backend.name, slack=runtime.slack_enabled,
        slack_socket_mode=socket.snapshot() if (socket := getattr(request.app.state, "slack_socket", None)) else None,
        demo_mode=runtime.settings.demo_mode,
    )
    return JSONResponse(health.model_dump(mode="json"), status_code=200 if db.up_to_date else 503)
