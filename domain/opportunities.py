"""A customer's deals: finding one by name or id, and moving it through the pipeline.

Rules written here:

* Stages, in order: qualification, needs_analysis, proposal, negotiation, then closed_won /
  closed_lost. A stage name is folded (``"Needs analysis"`` -> ``needs_analysis``); anything else
  is an error listing the stages.
* Probability is a percentage 0-100 (stored as a fraction); a bare number strictly between 0 and
  1 is read as a fraction (0.7 = 70 %). A won deal has 100, a lost one 0:
  ``status: won`` (or stage closed_won) sets stage closed_won and probability 100, and a won deal
  with a probability below 100 is an error; ``lost`` likewise with 0. An open deal cannot sit in a
  closed stage, and reopening a closed deal needs the open stage it goes back to.
* A stage change alone leaves the probability as it is; only ``probability`` or a close changes it.
* The deal is found among the customer's own deals: by id, else by name (fuzzy, one clearly best),
  else, when no deal is named, the customer's only open deal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import DomainError, NotFound
from domain.models import Opportunity
from domain.orders import parse_amount

OPEN_STAGES = ("qualification", "needs_analysis", "proposal", "negotiation")
STAGES = (*OPEN_STAGES, "closed_won", "closed_lost")
STATUSES = ("open", "won", "lost")
CLOSED_STAGE = {"won": "closed_won", "lost": "closed_lost"}
STAGE_ALIASES = {"won": "closed_won", "lost": "closed_lost", "closed": None, "needs": "needs_analysis",
                 "analysis": "needs_analysis", "negotiating": "negotiation", "qualified": "qualification",
                 "qualifying": "qualification", "proposal_sent": "proposal"}
MIN_NAME_SCORE = 60
NAME_MARGIN = 10


class AmbiguousDeal(DomainError):
    """Several deals fit; ``deals`` lists them (the tool turns them into candidates)."""

    code = "ambiguous"

    def __init__(self, message: str, deals: list[Opportunity]):
        super().__init__(message, field="opportunity")
        self.deals = deals


def check_stage(stage: str | None) -> str | None:
    if stage is None:
        return None
    value = "_".join(str(stage).strip().lower().replace("-", " ").split())
    value = STAGE_ALIASES.get(value, value)
    if value not in STAGES:
        raise DomainError(f"stage {stage!r} does not exist; the stages are: {', '.join(STAGES)}",
                          field="stage")
    return value


def check_probability(probability: Any) -> float | None:
    """A percentage 0-100 (``"70%"`` allowed), or None."""
    if probability is None:
        return None
    try:
        value = float(str(probability).strip().rstrip("%"))
    except ValueError:
        raise DomainError(f"probability {probability!r} is not a number; give a percentage 0-100",
                          field="probability") from None
    if 0 < value < 1 and "%" not in str(probability):  # 0.7 is a fraction: nobody means 0.7 %
        value *= 100
    if not 0 <= value <= 100:
        raise DomainError(f"probability {value:g} is outside 0-100 (it is a percentage)", field="probability")
    return value


def find_deal(session: Session, customer_id: int, ref: int | str | None) -> Opportunity:
    """The customer's deal by id or name, or their only open deal when ``ref`` is empty."""
    deals = list(session.scalars(select(Opportunity).where(Opportunity.customer_id == customer_id)
                                 .order_by(Opportunity.id)))
    text = str(ref).strip().lstrip("#") if ref is not None else ""
    if not text:
        open_deals = [d for d in deals if d.status == "open"]
        if len(open_deals) == 1:
            return open_deals[0]
        if not open_deals:
            raise NotFound("this customer has no open deal; name the deal to change", field="opportunity")
        raise AmbiguousDeal(f"this customer has {len(open_deals)} open deals; say which one", open_deals)
    if text.isdigit():
        match = next((d for d in deals if d.id == int(text)), None)
        if match is not None:
            return match
    scored = sorted(((fuzz.WRatio(text.casefold(), d.name.casefold()), d) for d in deals),
                    key=lambda pair: -pair[0])
    good = [(s, d) for s, d in scored if s >= MIN_NAME_SCORE]
    if not good:
        names = ", ".join(f"#{d.id} {d.name}" for d in deals) or "none"
        raise NotFound(f"no deal of this customer is called {text!r}; their deals: {names}", field="opportunity")
    close = [d for s, d in good if s >= good[0][0] - NAME_MARGIN]
    if len(close) > 1 and good[0][0] < 100:
        open_close = [d for d in close if d.status == "open"]
        if len(open_close) == 1:
            return open_close[0]
        raise AmbiguousDeal(f"several deals fit {text!r}; say which one", close)
    return good[0][1]


@dataclass(frozen=True)
class DealChange:
    field: str
    before: Any
    after: Any


def snapshot(deal: Opportunity) -> dict[str, Any]:
    return {"id": deal.id, "customer_id": deal.customer_id, "name": deal.name, "stage": deal.stage,
            "value": float(deal.value), "probability": round(float(deal.probability) * 100, 2),
            "status": deal.status}


def update_deal(deal: Opportunity, *, stage: str | None = None, value: Any = None,
                probability: Any = None, status: str | None = None, now: datetime) -> list[DealChange]:
    """Apply the changes to ``deal`` after checking them together; returns what changed."""
    new_stage = check_stage(stage)
    percent = check_probability(probability)
    amount = parse_amount(value, "value") if value is not None else None
    if status is not None and status not in STATUSES:
        raise DomainError(f"status {status!r} is unknown; use open, won or lost", field="status")
    new_status = status or ("won" if new_stage == "closed_won" else "lost" if new_stage == "closed_lost"
                            else deal.status)
    if new_status == "open" and new_stage is None and deal.status != "open":
        raise DomainError(f"to reopen the deal give the stage it goes back to ({', '.join(OPEN_STAGES)})",
                          field="stage")
    if new_status in CLOSED_STAGE:
        wanted = CLOSED_STAGE[new_status]
        if new_stage not in (None, wanted):
            raise DomainError(f"a {new_status} deal is at stage {wanted}, not {new_stage}", field="stage")
        new_stage = wanted
        full = 100.0 if new_status == "won" else 0.0
        if percent is not None and percent != full:
            raise DomainError(f"a {new_status} deal has probability {full:g}, not {percent:g}; "
                              f"leave probability out or give {full:g}", field="probability")
        percent = full
    elif new_stage in CLOSED_STAGE.values():
        raise DomainError(f"an open deal cannot be at stage {new_stage}; set status won or lost", field="stage")
    before = snapshot(deal)
    if new_stage is not None:
        deal.stage = new_stage
    if amount is not None:
        deal.value = amount
    if percent is not None:
        deal.probability = percent / 100
    if new_status != deal.status:
        deal.status = new_status
        deal.closed_at = now if new_status != "open" else None
    after = snapshot(deal)
    changes = [DealChange(k, before[k], after[k]) for k in ("stage", "value", "probability", "status")
               if before[k] != after[k]]
    if changes:
        deal.updated_at = now
    return changes
