"""``GET /metrics``: Prometheus's text format (``tools.telemetry``); no token, and no personal data in it."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from tools import telemetry

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response, summary="Counters and timings for Prometheus",
            responses={200: {"content": {"text/plain": {}},
                             "description": "turns, tool calls and writes by tool and outcome, LLM calls and "
                                            "tokens, Slack acknowledgements, background queues"}})
def metrics() -> Response:
    return Response(telemetry.render(), media_type=telemetry.CONTENT_TYPE)
