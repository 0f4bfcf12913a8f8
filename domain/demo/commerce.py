"""Demo orders with items, drop-offs, browsing behaviour and loyalty points (numpy columns)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.demo import vocabulary as vocab
from domain.demo.people import HERO_INDEX, Population, weighted
from domain.demo.purchases import order_spend, order_times
from domain.demo.timeline import DAY, HISTORY_DAYS, SHOPPING_HOURS, Timeline, hours

MEAN_RETAIL_ORDER_BDT = 1000.0
TOP_UP_SHARE = 0.1
KIND_SPEND = np.array([1.0, 12.0, 25.0])  # retail, wholesale, distributor
STAGES = np.array(["product_view", "add_to_cart", "checkout_initiated", "payment_failed"])


@dataclass
class Catalogue:
    """Products as arrays: ids, names, prices and category index (in CATALOGUE order)."""

    ids: np.ndarray
    names: list[str]
    prices: np.ndarray
    category: np.ndarray
    n_categories: int
    category_names: list[str]

    def index(self, name: str) -> int:
        return self.category_names.index(name)

    def pick(self, rng: np.random.Generator, categories: np.ndarray, target_price: np.ndarray | None = None):
        """A product per row from its category: the one priced nearest the target, else at random."""
        out = np.zeros(len(categories), dtype=np.int64)
        for c in range(self.n_categories):
            rows = np.flatnonzero(categories == c)
            members = np.flatnonzero(self.category == c)
            if not len(rows):
                continue
            if target_price is None:
                out[rows] = members[rng.integers(0, len(members), len(rows))]
                continue
            by_price = members[np.argsort(self.prices[members])]
            spot = np.searchsorted(self.prices[by_price], target_price[rows])
            # step down one place half the time, so cheaper items still sell to big spenders
            spot = np.clip(spot - (rng.random(len(rows)) < 0.5), 0, len(by_price) - 1)
            out[rows] = by_price[spot]
        return out


def order_categories(
    rng: np.random.Generator, pop: Population, who: np.ndarray, n_categories: int
) -> np.ndarray:
    draw = rng.random(len(who))
    return np.where(
        draw < 0.55,
        pop.fav[who, 0],
        np.where(draw < 0.85, pop.fav[who, 1], rng.integers(0, n_categories, len(who))),
    )


def order_columns(
    rng: np.random.Generator,
    pop: Population,
    tl: Timeline,
    cat: Catalogue,
    mean_orders: float,
) -> dict:
    """Orders of every buyer with the BG/NBD timing and Gamma-Gamma spend (see ``purchases``)."""
    buyers = np.flatnonzero(pop.buyer)
    b_idx, moment = order_times(rng, pop.first_order_s[buyers], tl.now_s, mean_orders, HISTORY_DAYS / 7)
    who = buyers[b_idx]
    moment = tl.at_time_of_day(moment, hours(rng, len(moment), SHOPPING_HOURS))
    # Baskets vary more between a shop's customers than CDs did between CDNOW's: a per-customer
    # basket size (small cosmetics or grocery top-ups up to big-ticket buyers) widens Gamma-Gamma.
    # Some retail buyers only top up small things (kajal, tea, face wash): they are the frequent
    # small spenders that the RFM rules call Loyal rather than VIP.
    top_up = (rng.random(len(buyers)) < TOP_UP_SHARE)[b_idx] & (pop.kind[who] == 0)
    basket = np.where(top_up, 0.3, rng.lognormal(-0.3, 0.8, len(buyers))[b_idx])
    spend = order_spend(rng, b_idx, len(buyers), MEAN_RETAIL_ORDER_BDT) * basket * KIND_SPEND[pop.kind[who]]
    retail = pop.kind[who] == 0
    quantity = np.where(
        retail & ~top_up,
        weighted(rng, len(who), [70, 20, 7, 3]) + 1,
        np.where(top_up, 1, rng.integers(10, 61, len(who))),
    )
    categories = np.where(
        top_up,
        np.where(rng.random(len(who)) < 0.6, cat.index("Cosmetics"), cat.index("Groceries")),
        order_categories(rng, pop, who, cat.n_categories),
    )
    product = cat.pick(rng, categories, spend / quantity)
    # a quarter of the other retail baskets carry a second, single item
    second = np.where(retail & ~top_up & (rng.random(len(who)) < 0.25), cat.pick(rng, pop.fav[who, 1]), -1)
    amount = cat.prices[product] * quantity + np.where(second >= 0, cat.prices[second], 0)
    age_days = (tl.now_s - moment) / DAY
    status = np.array(["completed", "cancelled", "refunded"])[weighted(rng, len(who), [90.5, 5, 4.5])]
    status = np.where((age_days < 3) & (rng.random(len(who)) < 0.35), "pending", status)
    channel = np.array(["web", "facebook", "phone", "shop"])[weighted(rng, len(who), [40, 30, 15, 15])]
    return {
        "who": who,
        "ordered_at": moment,
        "product": product,
        "quantity": quantity,
        "second": second,
        "total_amount": amount,
        "status": status,
        "channel": channel,
    }


def dropoff_columns(
    rng: np.random.Generator, pop: Population, tl: Timeline, cat: Catalogue, last_order_s: np.ndarray
) -> dict:
    """Abandoned views, carts, checkouts and failed payments of the last two months; a third recovered."""
    n = len(pop.ids)
    recent = (tl.now_s - last_order_s) < 60 * DAY
    chance = np.where(recent, 0.35, np.where(pop.buyer, 0.1, 0.3))
    counts = np.where(rng.random(n) < chance, 1 + (rng.random(n) < 0.2), 0)
    who = np.repeat(np.arange(n), counts)
    m = len(who)
    occurred = tl.days_ago(np.minimum(rng.exponential(12, m), 60) + rng.random(m) / 24)
    occurred = np.maximum(occurred, pop.created_s[who])
    stage = STAGES[weighted(rng, m, [25, 40, 20, 15])]
    product = cat.pick(rng, order_categories(rng, pop, who, cat.n_categories))
    quantity = 1 + (rng.random(m) < 0.25)
    reasons = [
        vocab.DROPOFF_REASONS[s][int(r * len(vocab.DROPOFF_REASONS[s]))]
        for s, r in zip(stage.tolist(), rng.random(m).tolist())
    ]
    recovered = (rng.random(m) < 0.33) & (tl.now_s - occurred > DAY)
    recovered_at = np.where(
        recovered, np.minimum(occurred + rng.uniform(2, 72, m) * 3600, tl.now_s - 3600), np.nan
    )
    # the README's hero has one open cart from two days ago ("draft her a WhatsApp about the cart")
    hero = np.flatnonzero(who == HERO_INDEX)
    if n > HERO_INDEX and "Blue Kettle" in cat.names:
        row = hero[0] if len(hero) else None
        if row is None:
            who, stage, product, quantity, occurred, recovered, recovered_at = (
                np.append(who, HERO_INDEX), np.append(stage, "add_to_cart"), np.append(product, 0),
                np.append(quantity, 1), np.append(occurred, 0.0), np.append(recovered, False),
                np.append(recovered_at, np.nan))
            reasons.append("")
            row = len(who) - 1
        keep = np.ones(len(who), bool)
        keep[hero[hero != row]] = False
        stage[row], product[row], quantity[row] = "add_to_cart", cat.names.index("Blue Kettle"), 1
        occurred[row], recovered[row], recovered_at[row] = tl.days_ago(2.1), False, np.nan
        reasons[row] = vocab.DROPOFF_REASONS["add_to_cart"][0]
        who, stage, product, quantity, occurred, recovered, recovered_at = (
            a[keep] for a in (who, stage, product, quantity, occurred, recovered, recovered_at))
        reasons = [r for r, kept in zip(reasons, keep.tolist()) if kept]
    return {
        "who": who,
        "stage": stage,
        "product": product,
        "cart_value": cat.prices[product] * quantity,
        "quantity": quantity,
        "reason": reasons,
        "occurred_at": occurred,
        "recovered": recovered,
        "recovered_at": recovered_at,
    }


def behaviour_columns(
    rng: np.random.Generator,
    pop: Population,
    tl: Timeline,
    cat: Catalogue,
    last_order_s: np.ndarray,
    first_id: int,
) -> dict:
    """Product views, carts, wishlists and searches: mostly the last month of active customers."""
    n = len(pop.ids)
    active = (((tl.now_s - last_order_s) < 60 * DAY) & (rng.random(n) < 0.6)) | (rng.random(n) < 0.08)
    recent_counts = np.where(active, rng.poisson(2.5, n), 0)
    history_counts = np.where(pop.buyer & (rng.random(n) < 0.4), rng.integers(1, 4, n), 0)
    who = np.concatenate([np.repeat(np.arange(n), recent_counts), np.repeat(np.arange(n), history_counts)])
    m_recent = int(recent_counts.sum())
    m = len(who)
    when = np.empty(m)
    when[:m_recent] = tl.days_ago(rng.uniform(0, 30, m_recent))
    span = tl.now_s - pop.created_s[who[m_recent:]]
    when[m_recent:] = pop.created_s[who[m_recent:]] + rng.random(m - m_recent) * span
    when = np.maximum(when, pop.created_s[who])
    kind = np.array(["product_view", "add_to_cart", "wishlist", "search"])[weighted(rng, m, [55, 15, 10, 20])]
    product = cat.pick(rng, order_categories(rng, pop, who, cat.n_categories))
    search = kind == "search"
    return {
        "id": np.arange(first_id, first_id + m),
        "customer_id": pop.ids[who],
        "type": kind,
        "product_id": [None if s else int(p) for s, p in zip(search.tolist(), cat.ids[product].tolist())],
        "query": [
            vocab.SEARCH_QUERIES[q] if s else None
            for s, q in zip(search.tolist(), rng.integers(0, len(vocab.SEARCH_QUERIES), m).tolist())
        ],
        "count": np.where(kind == "product_view", rng.integers(1, 7, m), 1),
        "occurred_at": when,
    }


TIERS = [(5000, "platinum"), (2000, "gold"), (500, "silver"), (0, "bronze")]


def loyalty_columns(
    rng: np.random.Generator, pop: Population, orders: dict, order_ids: np.ndarray, first_txn_id: int
) -> tuple[dict, dict]:
    """Points for the completed orders of programme members (1 per BDT 100), some redeemed."""
    completed = orders["status"] == "completed"
    per_customer = np.bincount(orders["who"][completed], minlength=len(pop.ids))
    member = (per_customer >= 2) & (rng.random(len(pop.ids)) < 0.55)
    earn = completed & member[orders["who"]]
    who, points = orders["who"][earn], np.floor(orders["total_amount"][earn] / 100).astype(int)
    earned = np.bincount(who, weights=points, minlength=len(pop.ids)).astype(int)
    redeem = member & (earned >= 300) & (rng.random(len(pop.ids)) < 0.35)
    redeemed = np.where(redeem, np.minimum((earned // 2) // 50 * 50, 500), 0)
    last = np.zeros(len(pop.ids))
    np.maximum.at(last, who, orders["ordered_at"][earn])
    r_who = np.flatnonzero(redeem & (redeemed > 0))
    txn_who = np.concatenate([who, r_who])
    txns = {
        "customer_id": pop.ids[txn_who],
        "points": np.concatenate([points, -redeemed[r_who]]),
        "reason": ["order purchase"] * len(who) + ["redeemed at checkout"] * len(r_who),
        "order_id": [int(i) for i in order_ids[earn]] + [None] * len(r_who),
        "occurred_at": np.concatenate([orders["ordered_at"][earn], last[r_who] + 600]),
    }
    txns["id"] = np.arange(first_txn_id, first_txn_id + len(txn_who))
    members = np.flatnonzero(member)
    balance = earned[members] - redeemed[members]
    accounts = {
        "customer_id": pop.ids[members],
        "points_balance": balance,
        "tier": [next(t for floor, t in TIERS if e >= floor) for e in earned[members].tolist()],
        "updated_at": last[members] + np.where(redeem[members], 600, 0),
    }
    return accounts, txns
