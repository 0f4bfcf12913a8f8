"""Saved segments over HTTP: list them and their members (the saved_segment tool), create and delete
them (managers and admins; the request by an authenticated manager is its own approval)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from channels.http.customers import READ_ERRORS
from channels.http.deps import CurrentUser, RuntimeDep, run_read_tool
from channels.http.errors import TOOL_STATUS, ApiError
from domain.errors import DomainError
from tools.saved_segment import MAX_LIMIT, SavedSegmentOut, SavedSegmentResult

router = APIRouter(tags=["saved segments"])
SegmentName = Annotated[str, Path(min_length=1, max_length=100, description="The saved segment's name (any case)")]


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="Not an RFM segment's name (Champions, At Risk, ...): those are fixed")
    criteria: dict[str, Any] = Field(description="rfm_segment, temperature, lifecycle_stage, city, tag (lists); "
                                                 "last_order_days_min/max, ltv_min/max (numbers)")


def _manager(user) -> None:
    if not user.is_manager:
        raise ApiError(403, f"{user.name} is an agent; only a manager or an admin creates or deletes saved segments",
                       error="forbidden")


def _domain(exc: DomainError) -> ApiError:
    return ApiError(TOOL_STATUS.get(exc.code, 400), exc.message, error=exc.code)


def _out(info, currency: str) -> SavedSegmentOut:
    from domain.segments import describe_criteria

    return SavedSegmentOut(name=info.name, criteria=info.criteria, members=info.members, created_at=info.created_at,
                           description=describe_criteria(info.criteria, currency))


@router.get("/segments", response_model=SavedSegmentResult, responses=READ_ERRORS,
            summary="The saved segments with their member counts")
def get_segments(user: CurrentUser, runtime: RuntimeDep) -> Any:
    return run_read_tool(runtime, user, "saved_segment", {})


@router.get("/segments/{name}/members", response_model=SavedSegmentResult, responses=READ_ERRORS,
            summary="Who is in a saved segment, highest lifetime value first")
def get_segment_members(name: SegmentName, user: CurrentUser, runtime: RuntimeDep,
                        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
                        offset: Annotated[int, Query(ge=0)] = 0) -> Any:
    return run_read_tool(runtime, user, "saved_segment", {"name": name, "limit": limit, "offset": offset})


@router.post("/segments", response_model=SavedSegmentOut, status_code=201, responses=READ_ERRORS,
             summary="Create a saved segment (managers and admins); its members are computed at once")
def post_segment(body: SegmentIn, user: CurrentUser, runtime: RuntimeDep) -> Any:
    from domain.db import transaction
    from domain.segments import create_segment

    _manager(user)
    try:
        with transaction(runtime.sessions) as session:
            info = create_segment(session, body.name, body.criteria, runtime.clock.today(), tz=runtime.settings.tz,
                                  thresholds=runtime.settings.rfm_monetary_thresholds, user_id=user.id)
    except DomainError as exc:
        raise _domain(exc) from exc
    return _out(info, runtime.settings.currency)


@router.delete("/segments/{name}", status_code=204, responses=READ_ERRORS,
               summary="Delete a saved segment (managers and admins); customers are not touched")
def delete_segment_route(name: SegmentName, user: CurrentUser, runtime: RuntimeDep) -> Response:
    from domain.db import transaction
    from domain.segments import delete_segment

    _manager(user)
    try:
        with transaction(runtime.sessions) as session:
            delete_segment(session, name, user_id=user.id)
    except DomainError as exc:
        raise _domain(exc) from exc
    return Response(status_code=204)
