"""``find_customers``: look customers up by name, phone, email or id (read)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from domain.models import Customer, User
from tools.access import contact_email, contact_phone
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import customer_candidates, lookup_customers
from tools.results import ToolResult

MAX_LIMIT = 20


class FindCustomersArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1,
        description="A name (fuzzy, partial), a phone number in any form, an email "
        "or an id such as #42.",
    )
    limit: int = Field(
        5, ge=1, le=MAX_LIMIT, description=f"How many matches at most (1-{MAX_LIMIT})."
    )


class CustomerMatch(BaseModel):
    id: int
    name: str
    city: str | None = None
    phone: str | None = None  # masked when the user may not act on the customer
    email: str | None = None
    assigned_to: str | None = None
    last_contact: str | None = None  # ISO date
    score: float  # 100 = the name, phone, email or id matched exactly


class FindCustomersResult(ToolResult):
    matches: list[CustomerMatch] = Field(default_factory=list)
    total: int = 0  # matches before the limit


@tool("read")
def find_customers(
    ctx: ToolContext, session: Session, args: FindCustomersArgs
) -> FindCustomersResult:
    """Search customers by name (fuzzy: "rahim", "Mr. Uddin", typos), phone, email or id.

    Use it to find who the user means before acting, or when another tool answered "ambiguous" or
    "not found". Returns up to `limit` matches, best first, with id, name, city, phone (masked
    when the customer is another agent's and agents may not act on it), assigned agent and last
    contact date. Reads only.
    """
    matches = lookup_customers(session, args.query, ctx.settings)
    shown = matches[: args.limit]
    ids = [m.id for m in shown]
    owner = aliased(User)
    details = (
        {
            r.id: r
            for r in session.execute(
                select(
                    Customer.id,
                    Customer.phone,
                    Customer.email,
                    Customer.assigned_to_id,
                    owner.name.label("owner"),
                )
                .outerjoin(owner, owner.id == Customer.assigned_to_id)
                .where(Customer.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    candidates = {c.id: c for c in customer_candidates(session, ids)}
    out = []
    for m in shown:
        row, cand = details[m.id], candidates[m.id]
        out.append(
            CustomerMatch(
                id=m.id,
                name=m.name,
                city=cand.city,
                last_contact=cand.last_contact,
                score=m.score,
                phone=contact_phone(ctx.actor, row.assigned_to_id, row.phone, ctx.settings),
                email=contact_email(ctx.actor, row.assigned_to_id, row.email, ctx.settings),
                assigned_to=row.owner,
            )
        )
    if not out:
        text = f"No customer matches {args.query!r}."
    else:
        lines = [
            f"{len(matches)} match{'es' if len(matches) != 1 else ''} for {args.query!r}"
            + (f" (showing {len(out)})" if len(matches) > len(out) else "")
            + ":"
        ]
        for c in out:
            bits = [
                b
                for b in (
                    c.city,
                    c.phone,
                    f"last contact {c.last_contact}" if c.last_contact else None,
                )
                if b
            ]
            lines.append(f"  #{c.id} {c.name}" + (f" ({', '.join(bits)})" if bits else ""))
        text = "\n".join(lines)
    return FindCustomersResult(text=text, matches=out, total=len(matches))
