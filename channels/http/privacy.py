"""Customer data rights over HTTP: ``GET /customers/{customer_id}/export`` (admin only)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from channels.http.deps import CurrentUser, RuntimeDep, run_read_tool
from channels.http.errors import ERROR_RESPONSES, ErrorResponse
from tools.export_customer import MAX_CUSTOMER_ID

router = APIRouter(tags=["data rights"])

Row = dict[str, Any]


class ConsentExport(BaseModel):
    current: list[Row] = Field(description="channel_consents rows: the opt-in per channel now")
    history: list[Row] = Field(description="consent_events rows: every change, oldest first")


class LoyaltyExport(BaseModel):
    account: Row | None = Field(description="The loyalty account, if any")
    transactions: list[Row]


class CustomerExport(BaseModel):
    """The document ``c360 customer export ID`` prints: every row about the customer and their
    family, each with its table's columns; instants ISO 8601 in UTC, dates ISO, money exact strings."""

    model_config = ConfigDict(extra="allow")  # a key the export gains later still reaches the caller

    format: str = Field(description="c360.customer-export/1")
    exported_at: str = Field(description="When the export was made (UTC, ISO 8601)")
    customer_id: int
    customer: Row | None = Field(description="The customers row (an erased customer: what was kept)")
    stats: Row | None = Field(description="The customer_stats row (aggregates)")
    family: list[Row]
    consent: ConsentExport
    tags: list[str]
    notes: list[Row]
    orders: list[Row] = Field(description="Orders, each with its items")
    interactions: list[Row] = Field(description="Interactions, each with the product_ids discussed")
    behaviour: list[Row]
    dropoffs: list[Row]
    loyalty: LoyaltyExport
    tickets: list[Row]
    opportunities: list[Row]
    segments: list[str]
    audit: list[Row] = Field(description="Audit rows about the customer: who changed what, when")


EXPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    403: {"model": ErrorResponse, "description": "Only an admin may export a customer's data"},
    404: {"model": ErrorResponse, "description": "No customer with that id"},
}


@router.get("/customers/{customer_id}/export", response_model=CustomerExport, responses=EXPORT_ERRORS,
            summary="Everything held about one customer and their family (admin only)")
def customer_export(
    customer_id: Annotated[int, Path(ge=1, le=MAX_CUSTOMER_ID, description="The customer's id")],
    user: CurrentUser, runtime: RuntimeDep,
) -> Any:
    """The same JSON document as `c360 customer export ID`, consent history and audit trail
    included; an erased customer exports what was kept. Agents and managers get 403."""
    return run_read_tool(runtime, user, "export_customer", {"customer_id": customer_id}).document
