"""Read endpoints about customers, over the same tools the agent uses: 360 view, timeline, RFM."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from channels.http.deps import CurrentUser, RuntimeDep, run_read_tool
from channels.http.errors import ERROR_RESPONSES, ErrorResponse
from domain.customer360.timeline import MAX_TIMELINE_LIMIT, TIMELINE_TYPES
from tools.get_360 import Get360Result, TimelineOut, TimelineType
from tools.rfm_segment import MAX_LIMIT as RFM_MAX_LIMIT
from tools.rfm_segment import RfmSegmentResult

router = APIRouter(tags=["customers"])

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    403: {"model": ErrorResponse, "description": "This user may not see that customer"},
    404: {"model": ErrorResponse, "description": "No such customer"},
    409: {"model": ErrorResponse, "description": "The reference matches several customers (candidates listed)"},
}
CustomerRefPath = Annotated[str, Path(
    min_length=1, max_length=200,
    description="The customer: an id (183), or any reference the tools take: name, phone number or email")]


class TimelinePage(BaseModel):
    customer_id: int
    customer_name: str
    items: list[TimelineOut] = Field(description="Newest first")
    next_cursor: str | None = Field(None, description="Pass as cursor for older items; null: no more")


@router.get("/customers/{customer}/360", response_model=Get360Result, responses=READ_ERRORS,
            summary="Everything about one customer (the get_360 tool)")
def customer_360(customer: CustomerRefPath, user: CurrentUser, runtime: RuntimeDep,
                 timeline_limit: Annotated[int, Query(ge=1, le=MAX_TIMELINE_LIMIT,
                                                      description="Timeline items to include")] = 20) -> Any:
    return run_read_tool(runtime, user, "get_360", {"customer": customer, "timeline_limit": timeline_limit})


@router.get("/customers/{customer}/timeline", response_model=TimelinePage, responses=READ_ERRORS,
            summary="One customer's timeline, newest first, filtered and paged")
def customer_timeline(
    customer: CustomerRefPath, user: CurrentUser, runtime: RuntimeDep,
    type: Annotated[list[TimelineType] | None, Query(description=f"Only these kinds (repeat the parameter): "
                                                                 f"{', '.join(TIMELINE_TYPES)}")] = None,
    from_: Annotated[date | datetime | None, Query(alias="from", description="From this date or date-time "
                                                                           "(business local time)")] = None,
    to: Annotated[date | datetime | None, Query(description="Up to this date (whole day) or date-time")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TIMELINE_LIMIT, description="Items per page")] = 20,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
) -> TimelinePage:
    result = run_read_tool(runtime, user, "get_360", {
        "customer": customer, "timeline_types": type or [], "since": from_, "until": to,
        "timeline_limit": limit, "cursor": cursor})
    return TimelinePage(customer_id=result.profile["id"], customer_name=result.profile["name"],
                        items=result.timeline, next_cursor=result.next_cursor)


@router.get("/rfm", response_model=RfmSegmentResult, responses=READ_ERRORS,
            summary="RFM: one customer's scores, a segment's members, or the distribution (the rfm_segment tool)")
def rfm(user: CurrentUser, runtime: RuntimeDep,
        customer: Annotated[str | None, Query(max_length=200, description="One customer: id, name, phone or email")] = None,
        segment: Annotated[str | None, Query(max_length=60, description="List this segment's members, e.g. At Risk")] = None,
        limit: Annotated[int, Query(ge=1, le=RFM_MAX_LIMIT, description="Segment members to list")] = 20) -> Any:
    return run_read_tool(runtime, user, "rfm_segment", {"customer": customer, "segment": segment, "limit": limit})
