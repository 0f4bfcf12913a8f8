"""``GET /call-list``, ``GET /call-list/explain/{customer}`` and ``GET /dashboard``: who to call,
why (or why not), and the manager's numbers, over the same tools the agent uses."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from channels.http.customers import READ_ERRORS, CustomerRefPath
from channels.http.errors import ERROR_RESPONSES
from channels.http.deps import CurrentUser, RuntimeDep, run_read_tool
from domain.call_priority.ranking import MAX_LIMIT
from tools.call_priority_list import CallPriorityListResult
from tools.dashboard import DashboardResult
from tools.explain_call_priority import ExplainCallPriorityResult

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
    city: Annotated[str | None, Query(max_length=80, description="Only customers in this city (any case)")] = None,
) -> Any:
    return run_read_tool(runtime, user, "call_priority_list", {
        "date": date, "limit": limit, "temperature": temperature, "lifecycle_stage": lifecycle_stage,
        "assigned_to_me": mine, "city": city})


@router.get("/call-list/explain/{customer}", response_model=ExplainCallPriorityResult, responses=READ_ERRORS,
            summary="Why a customer is, or is not, on the call list those filters give")
def call_list_explain(
    customer: CustomerRefPath, user: CurrentUser, runtime: RuntimeDep,
    date: Annotated[date | None, Query(description="The day, YYYY-MM-DD; default today")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="The list's length")] = 10,
    temperature: Annotated[str | None, Query(max_length=20, description="The list's temperature")] = None,
    lifecycle_stage: Annotated[str | None, Query(max_length=30, description="The list's stage")] = None,
    mine: Annotated[bool, Query(description="The list is my customers only")] = False,
    city: Annotated[str | None, Query(max_length=80, description="The list's city")] = None,
) -> Any:
    return run_read_tool(runtime, user, "explain_call_priority", {
        "customer": customer, "date": date, "limit": limit, "temperature": temperature,
        "lifecycle_stage": lifecycle_stage, "assigned_to_me": mine, "city": city})


@router.get("/dashboard", response_model=DashboardResult, responses=ERROR_RESPONSES,
            summary="Customer counts by type, lifecycle and temperature, lifetime value, the team's activity")
def dashboard(
    user: CurrentUser, runtime: RuntimeDep,
    since: Annotated[date | None, Query(description="First day of the activity period; default a week back")] = None,
    until: Annotated[date | None, Query(description="Last day of the activity period; default today")] = None,
) -> Any:
    return run_read_tool(runtime, user, "dashboard", {"since": since, "until": until})
