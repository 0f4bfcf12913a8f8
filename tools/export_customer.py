"""``export_customer``: everything held about one customer as one JSON document (read, admin only).

Registered with ``offered=False``: the HTTP API (``GET /customers/{id}/export``) calls it, no model
ever sees or runs it, so a full export never becomes LLM-bound text.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.enums import Role
from domain.errors import Forbidden
from domain.privacy import export_customer as export_document
from tools.context import ToolContext
from tools.registry import tool
from tools.results import ToolResult

MAX_CUSTOMER_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


class ExportCustomerArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(ge=1, le=MAX_CUSTOMER_ID, description="The customer's id (erased customers too).")


class ExportCustomerResult(ToolResult):
    document: dict[str, Any] = Field(description="The export: the same document as `c360 customer export ID`")


@tool("read", offered=False)
def export_customer(ctx: ToolContext, session: Session, args: ExportCustomerArgs) -> ExportCustomerResult:
    """Everything held about one customer and their family as one JSON document: profile, family,
    consent now and its history, orders with items, interactions, notes, tags, behaviour,
    drop-offs, loyalty, tickets, opportunities, segments and the audit trail. An erased customer
    exports what was kept. Admins only. Reads only.
    """
    if ctx.actor.role != Role.admin:
        # before the lookup, so a non-admin cannot even learn whether the id exists
        raise Forbidden(f"only an admin may export a customer's data; {ctx.actor.name} is {ctx.actor.role}: "
                        "ask an admin", field="user")
    document = export_document(session, args.customer_id, now=ctx.clock.now())
    name = (document.get("customer") or {}).get("name")
    return ExportCustomerResult(document=document,
                                text=f"export of customer #{args.customer_id} ({name}), format {document['format']}")
