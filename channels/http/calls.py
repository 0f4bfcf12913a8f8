"""``GET /call-list``: who to call on a day, over the call_priority_list tool."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from channels.http.customers import READ_ERRORS
from channels.http.deps import CurrentUser, RuntimeDep, run_read_tool
from domain.call_priority.ranking import MAX_LIMIT
from tools.call_priority_list import CallPriorityListResult

router = APIRouter(tags=["calls"])


@router.get("/call-list", response_model=CallPriorityListResult, responses=READ_ERRORS,
            summary="The ranked call list for a day, each entry with reasons, offer and best time")
def call_list(
    user: CurrentUser, runtime: RuntimeDep,
    date: Annotated[date | None, Query(description="The day, YYYY-MM-DD; default today; not in the past")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many customers")] = 10,
    temperature: Annotated[str | None, Query(max_length=20, description="hot, warm or cold")] = None,
    lifecycle_stage: Annotated[str | None, Query(max_length=30, description="lead, prospect, first_buyer, "
                                                                            "repeat_buyer, loyal, inactive")] = None,
    mine: Annotated[bool, Query(description="Only customers assigned to me")] = False,
) -> Any:
    return run_read_tool(runtime, user, "call_priority_list", {
        "date": date, "limit": limit, "temperature": temperature, "lifecycle_stage": lifecycle_stage,
        "assigned_to_me": mine})
