"""Demo interactions (calls, WhatsApp, ...), support tickets and B2B opportunities (numpy columns)."""

from __future__ import annotations

import numpy as np

from domain.demo import vocabulary as vocab
from domain.demo.commerce import Catalogue, order_categories
from domain.demo.people import Population, weighted
from domain.demo.timeline import DAY, OFFICE_HOURS, Timeline, hours

TYPES = np.array(["call", "whatsapp", "sms", "email", "facebook", "instagram", "in_person", "meeting"])
RETAIL_TYPE_W = [36, 30, 8, 6, 10, 5, 4, 1]
B2B_TYPE_W = [35, 25, 0, 20, 0, 0, 0, 20]
INBOUND = {
    "call": 0.3,
    "whatsapp": 0.45,
    "sms": 0.2,
    "email": 0.3,
    "facebook": 0.6,
    "instagram": 0.6,
    "in_person": 0.8,
    "meeting": 0.2,
}
OUTCOMES = np.array(
    ["purchased", "resolved", "interested", "other", "complaint", "callback", "no_answer", "not_interested"]
)
NEAR_ORDER_W = [30, 20, 20, 15, 5, 5, 5, 0]
AWAY_W = [5, 8, 22, 14, 4, 15, 20, 12]
SENTIMENT = {
    "purchased": "positive",
    "resolved": "positive",
    "interested": "positive",
    "complaint": "negative",
    "not_interested": "negative",
}
NOTES = {
    "purchased": [
        "Confirmed the order for {p}; delivery to the usual address.",
        "Bought {p} after we sent photos.",
        "Placed an order, paid by bKash.",
        "Ordered again, happy with the last delivery.",
    ],
    "resolved": [
        "Delivery delay sorted with the courier; {p} arrives tomorrow.",
        "Exchanged size, customer happy.",
        "Refund for {p} explained and confirmed.",
        "Answered questions about warranty.",
    ],
    "interested": [
        "Asked about {p}; wants to see more colours.",
        "Interested in {p} for Eid, will confirm soon.",
        "Likes {p}, asked if EMI is possible.",
        "Wants a price for two pieces of {p}.",
    ],
    "other": [
        "Shared the new catalogue on WhatsApp.",
        "Sent delivery details for {p}.",
        "Customer asked about our shop timing.",
        "Updated the delivery address.",
    ],
    "complaint": [
        "Complained {p} arrived damaged; replacement requested.",
        "Courier was late by 3 days.",
        "Charged twice on bKash, wants refund.",
        "Unhappy with the size of {p}.",
    ],
    "callback": [
        "Busy now, asked to call back about {p}.",
        "Call back after office hours.",
        "Will discuss {p} with family, call back.",
        "Asked us to call back after salary day.",
    ],
    "no_answer": ["No answer.", "Phone switched off.", "Rang twice, no answer.", "Number busy."],
    "not_interested": [
        "Not interested right now.",
        "Already bought {p} elsewhere.",
        "Says prices are high.",
        "Asked us not to call about offers.",
    ],
}
SUBJECTS = {"email": "About your order", "meeting": "Wholesale pricing review"}


def interaction_columns(
    rng: np.random.Generator,
    pop: Population,
    tl: Timeline,
    cat: Catalogue,
    orders: dict,
    per_customer: float,
    agent_ids: list[int],
) -> dict:
    """Interactions across each customer's active life, anchored near orders about half the time."""
    n = len(pop.ids)
    order_count = np.bincount(orders["who"], minlength=n)
    last_order = np.full(n, -np.inf)
    np.maximum.at(last_order, orders["who"], orders["ordered_at"])
    weight = np.where(pop.buyer, 0.6 + 0.7 * order_count, 1.5)
    counts = np.minimum(rng.poisson(weight * per_customer / weight.mean()), 120)
    who = np.repeat(np.arange(n), counts)
    m = len(who)
    # an order of the same customer to stand near: order rows are grouped by customer
    first_row = np.concatenate([[0], np.cumsum(order_count)[:-1]])
    has_orders = order_count[who] > 0
    anchor_row = first_row[who] + (rng.random(m) * np.maximum(order_count[who], 1)).astype(int)
    near = has_orders & (rng.random(m) < 0.55)
    anchor_time = orders["ordered_at"][np.minimum(anchor_row, len(orders["ordered_at"]) - 1)]
    active_end = np.where(
        pop.buyer[who] & (rng.random(m) < 0.8), np.minimum(last_order[who] + 75 * DAY, tl.now_s), tl.now_s
    )
    start = pop.created_s[who]
    when = np.where(
        near,
        anchor_time + rng.uniform(-2, 6, m) * DAY,
        start + rng.random(m) * np.maximum(active_end - start, 0),
    )
    when = tl.at_time_of_day(np.clip(when, start, tl.now_s), hours(rng, m, OFFICE_HOURS))
    kind = np.where(
        pop.kind[who] > 0, TYPES[weighted(rng, m, B2B_TYPE_W)], TYPES[weighted(rng, m, RETAIL_TYPE_W)]
    )
    outcome = np.where(near, OUTCOMES[weighted(rng, m, NEAR_ORDER_W)], OUTCOMES[weighted(rng, m, AWAY_W)])
    outcome = np.where((outcome == "no_answer") & (kind != "call"), "other", outcome)
    return _finish(rng, pop, tl, cat, who, when, kind, outcome, agent_ids)


def _pick_notes(rng, outcome: np.ndarray, product: np.ndarray, mention: np.ndarray, cat: Catalogue):
    """A note per interaction; a template naming the product when one is mentioned."""
    notes, named = [], []
    picks = rng.integers(0, 1000, len(outcome)).tolist()
    for o, p, wanted, k in zip(outcome.tolist(), product.tolist(), mention.tolist(), picks):
        with_p = [t for t in NOTES[o] if "{p}" in t]
        without = [t for t in NOTES[o] if "{p}" not in t]
        pool = with_p if (wanted and with_p) or not without else without
        text = pool[k % len(pool)]
        named.append("{p}" in text)
        notes.append(text.replace("{p}", cat.names[p]))
    return notes, np.array(named, dtype=bool)


def _finish(
    rng,
    pop,
    tl,
    cat,
    who,
    when,
    kind,
    outcome,
    agent_ids,
    *,
    notes=None,
    product=None,
    follow_up=None,
    direction=None,
) -> dict:
    """The remaining columns of interactions: direction, duration, notes, products, follow-ups, agent."""
    m = len(who)
    if direction is None:
        inbound = rng.random(m) < np.array([INBOUND[k] for k in kind.tolist()])
        direction = np.where(inbound & (outcome != "no_answer"), "inbound", "outbound")
    if product is None:
        product = cat.pick(rng, order_categories(rng, pop, who, cat.n_categories))
    duration = np.select(
        [(kind == "call") & (outcome == "no_answer"), kind == "call", kind == "meeting", kind == "in_person"],
        [
            0,
            np.clip(rng.lognormal(5.0, 0.7, m), 20, 1800),
            rng.uniform(1800, 5400, m),
            rng.uniform(300, 1800, m),
        ],
        -1,
    ).astype(int)
    if notes is None:
        notes, mentions = _pick_notes(rng, outcome, product, rng.random(m) < 0.45, cat)
    else:
        mentions = np.ones(m, dtype=bool)
    if follow_up is None:
        wants = (outcome == "callback") | ((outcome == "interested") & (rng.random(m) < 0.4))
        follow_up = np.where(wants, _office(tl, when + rng.uniform(1, 7, m) * DAY, rng), np.nan)
    done = (follow_up < tl.now_s) & (rng.random(m) < 0.9)
    done_at = np.where(done, np.minimum(follow_up + rng.uniform(0, 6, m) * 3600, tl.now_s - 60), np.nan)
    agents = np.array(agent_ids)
    user = np.where(pop.agent[who] > 0, pop.agent[who], agents[rng.integers(0, len(agents), m)])
    return {
        "who": who,
        "product": product,
        "mentions": mentions,
        "customer_id": pop.ids[who],
        "user_id": user,
        "type": kind,
        "direction": direction,
        "subject": [SUBJECTS.get(k) for k in kind.tolist()],
        "notes": notes,
        "outcome": outcome,
        "sentiment": [SENTIMENT.get(o, "neutral") for o in outcome.tolist()],
        "duration_seconds": [None if d < 0 else d for d in duration.tolist()],
        "occurred_at": when,
        "follow_up_required": ~np.isnan(follow_up),
        "follow_up_at": follow_up,
        "follow_up_done_at": done_at,
        "created_at": when,
    }


def _office(tl: Timeline, moments: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same local day as each moment, at an office hour (follow-ups may lie in the future)."""
    day = tl.day_index(np.nan_to_num(moments))
    return day * DAY - tl.offset_s + hours(rng, len(moments), OFFICE_HOURS)


def due_today_columns(
    rng, pop: Population, tl: Timeline, cat: Catalogue, last_order_s: np.ndarray, agent_ids: list[int]
) -> dict:
    """Callbacks promised for today: the first thing an agent's call list shows."""
    candidates = np.flatnonzero((tl.now_s - last_order_s < 90 * DAY) | ~pop.buyer)
    size = min(len(candidates), max(3, round(len(pop.ids) * 0.012)))
    who = np.sort(rng.choice(candidates, size, replace=False))
    when = tl.at_time_of_day(tl.days_ago(rng.integers(1, 7, size)), hours(rng, size, OFFICE_HOURS))
    when = np.maximum(when, pop.created_s[who])
    product = cat.pick(rng, order_categories(rng, pop, who, cat.n_categories))
    notes = [f"Asked to call back today about {cat.names[p]}." for p in product.tolist()]
    follow_up = tl.today_at(rng.uniform(11, 18, size) * 3600)
    kind = np.where(rng.random(size) < 0.7, "call", "whatsapp")
    return _finish(
        rng,
        pop,
        tl,
        cat,
        who,
        when,
        kind,
        np.full(size, "callback"),
        agent_ids,
        notes=notes,
        product=product,
        follow_up=follow_up,
        direction=np.full(size, "outbound"),
    )


ANSWERED_SHARE = 0.93  # a real desk answers most of its follow-ups; the rest lapse
ANSWER_OUTCOMES = np.array(["interested", "purchased", "other", "resolved", "not_interested"])
ANSWER_W = [34, 22, 26, 8, 10]


def answer_columns(rng, pop: Population, tl: Timeline, cat: Catalogue, talks: list[dict], agent_ids) -> dict:
    """The contact that answered each follow-up whose day has passed: most of them, on the day or
    the next, by the same agent; the rest stay open (overdue, or lapsed when long past)."""
    who = np.concatenate([t["who"] for t in talks])
    due = np.concatenate([t["follow_up_at"] for t in talks])
    product = np.concatenate([t["product"] for t in talks])
    user = np.concatenate([t["user_id"] for t in talks])
    with np.errstate(invalid="ignore"):
        past = np.flatnonzero((due < tl.now_s - DAY) & (rng.random(len(due)) < ANSWERED_SHARE))
    m = len(past)
    when = np.minimum(due[past] + rng.uniform(0, 1.2, m) * DAY, tl.now_s - 3600)
    when = tl.at_time_of_day(when, hours(rng, m, OFFICE_HOURS))
    when = np.maximum(when, due[past])  # never before the day it answers
    kind = np.where(rng.random(m) < 0.75, "call", "whatsapp")
    outcome = ANSWER_OUTCOMES[weighted(rng, m, ANSWER_W)]
    out = _finish(rng, pop, tl, cat, who[past], when, kind, outcome, agent_ids, product=product[past],
                  follow_up=np.full(m, np.nan), direction=np.full(m, "outbound"))
    out["user_id"] = user[past]  # the agent who promised the call makes it
    return out


def recovery_columns(rng, pop: Population, tl: Timeline, cat: Catalogue, dropoffs: dict, agent_ids) -> dict:
    """The call or message that won each recovered drop-off back."""
    rows = np.flatnonzero(dropoffs["recovered"])
    who, product = dropoffs["who"][rows], dropoffs["product"][rows]
    when = dropoffs["recovered_at"][rows] - rng.uniform(600, 7200, len(rows))
    when = np.maximum(when, dropoffs["occurred_at"][rows] + 60)
    kind = np.where(rng.random(len(rows)) < 0.6, "whatsapp", "call")
    notes = [
        f"Followed up on the abandoned {cat.names[p]}; customer completed the order."
        for p in product.tolist()
    ]
    return _finish(
        rng,
        pop,
        tl,
        cat,
        who,
        when,
        kind,
        np.full(len(rows), "purchased"),
        agent_ids,
        notes=notes,
        product=product,
        follow_up=np.full(len(rows), np.nan),
        direction=np.full(len(rows), "outbound"),
    )


def ticket_columns(rng, pop: Population, tl: Timeline, last_order_s: np.ndarray, first_id: int) -> dict:
    """Support tickets of about one buyer in twenty: recent ones open with an SLA, older ones resolved."""
    n = len(pop.ids)
    counts = np.where(pop.buyer & (rng.random(n) < 0.05), 1 + (rng.random(n) < 0.1), 0)
    who = np.repeat(np.arange(n), counts)
    m = len(who)
    end = np.minimum(last_order_s[who] + 30 * DAY, tl.now_s - 3600)
    created = pop.first_order_s[who] + rng.random(m) ** 0.5 * np.maximum(end - pop.first_order_s[who], 0)
    fresh = tl.now_s - created < 10 * DAY
    status = np.where(
        fresh & (rng.random(m) < 0.7),
        np.where(rng.random(m) < 0.7, "open", "pending"),
        np.where(rng.random(m) < 0.6, "closed", "resolved"),
    )
    priority = np.array(["low", "normal", "high", "urgent"])[weighted(rng, m, [20, 55, 20, 5])]
    sla_hours = np.select([priority == "urgent", priority == "high"], [8, 24], 48)
    resolved = np.isin(status, ["resolved", "closed"])
    resolved_at = np.where(
        resolved, np.minimum(created + rng.uniform(4, 120, m) * 3600, tl.now_s - 60), np.nan
    )
    csat = np.where(resolved & (rng.random(m) < 0.7), weighted(rng, m, [5, 8, 15, 35, 37]) + 1, 0)
    return {
        "id": np.arange(first_id, first_id + m),
        "customer_id": pop.ids[who],
        "subject": [vocab.TICKET_SUBJECTS[i] for i in rng.integers(0, len(vocab.TICKET_SUBJECTS), m)],
        "status": status,
        "priority": priority,
        "sla_due_at": created + sla_hours * 3600.0,
        "created_at": created,
        "resolved_at": resolved_at,
        "csat": [int(c) or None for c in csat.tolist()],
    }


STAGE_PROBABILITY = {"qualification": 0.1, "needs_analysis": 0.25, "proposal": 0.5, "negotiation": 0.7}


def opportunity_columns(rng, pop: Population, tl: Timeline, first_id: int) -> dict:
    """Deals with wholesale and distributor accounts: open ones in every stage (some stale), won, lost."""
    b2b = np.flatnonzero(pop.kind > 0)
    counts = rng.integers(1, 4, len(b2b))
    who = np.repeat(b2b, counts)
    m = len(who)
    created = np.maximum(tl.days_ago(rng.uniform(5, 365, m)), pop.created_s[who])
    status = np.array(["open", "won", "lost"])[weighted(rng, m, [60, 25, 15])]
    stages = list(STAGE_PROBABILITY)
    open_stage = np.array(stages)[rng.integers(0, len(stages), m)]
    stage = np.where(status == "open", open_stage, np.where(status == "won", "closed_won", "closed_lost"))
    probability = np.where(
        status == "open",
        [STAGE_PROBABILITY[s] for s in open_stage.tolist()],
        np.where(status == "won", 1.0, 0.0),
    )
    updated = created + rng.random(m) * (tl.now_s - 3600 - created)
    scale = np.where(pop.kind[who] == 2, 600_000, 180_000)
    value = np.round(scale * rng.lognormal(0, 0.6, m), -3)
    expected = np.where(status == "open", tl.days_ago(-rng.uniform(-10, 60, m)), updated)
    agents = pop.agent[who]
    return {
        "id": np.arange(first_id, first_id + m),
        "customer_id": pop.ids[who],
        "name": [vocab.OPPORTUNITY_NAMES[i] for i in rng.integers(0, len(vocab.OPPORTUNITY_NAMES), m)],
        "stage": stage,
        "value": value,
        "probability": probability,
        "status": status,
        "owner_id": [int(a) or None for a in agents.tolist()],
        "expected_close": tl.dates(expected),
        "created_at": created,
        "updated_at": updated,
        "closed_at": np.where(status == "open", np.nan, updated),
    }
