"""Demo customers and what belongs to each person: family, consent, tags and notes (numpy columns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import numpy as np

from domain.demo import vocabulary as vocab
from domain.demo.catalogue import CATALOGUE, CATEGORY_WEIGHTS
from domain.demo.timeline import DAY, HISTORY_DAYS, Timeline

KINDS = np.array(["retail", "wholesale", "distributor"])
LANGS = np.array(["bn", "en"])
ABROAD_ZONES = ["Asia/Dubai", "Asia/Riyadh", "Europe/London", "America/New_York", "Asia/Kuala_Lumpur"]


def weighted(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    p = np.asarray(weights, float)
    return rng.choice(len(p), n, p=p / p.sum())


@dataclass
class Population:
    """The hidden facts behind each demo customer that later tables depend on."""

    ids: np.ndarray
    names: list[str]
    first_names: list[str]
    female: np.ndarray
    kind: np.ndarray  # 0 retail, 1 wholesale, 2 distributor
    created_s: np.ndarray
    buyer: np.ndarray  # bool: will place orders
    first_order_s: np.ndarray
    agent: np.ndarray  # user id, 0 = unassigned
    fav: np.ndarray  # (n, 2) favourite category indices
    has_email: np.ndarray
    married: np.ndarray
    age: np.ndarray
    surnames: list[str]


# The customer the README's examples are about: "show me Rahim", "add his wife Sarah, birthday
# 1990-11-22", "draft her a WhatsApp about the cart". The only Rahim; married, no spouse on record
# yet, an open cart from two days ago (see ``commerce.dropoff_columns``).
HERO = {"first": "Rahim", "last": "Uddin", "age": 38, "date_of_birth": "1988-03-02", "city": "Dhaka"}
HERO_INDEX = 0
NAME_TRIES = 12  # redraws before a full name may repeat


def _names(rng: np.random.Generator, n: int, female: np.ndarray, bangla: np.ndarray):
    hindu = rng.random(n) < 0.09
    male_sur = [s for s in vocab.SURNAMES if "m" in s[2]]
    female_sur = [s for s in vocab.SURNAMES if "f" in s[2]]
    male_first = [f for f in vocab.MALE_FIRST if f[0] not in vocab.RESERVED_FIRST]
    female_first = [f for f in vocab.FEMALE_FIRST if f[0] not in vocab.RESERVED_FIRST]
    names, firsts, surnames = [], [], []
    picks = rng.random((n, NAME_TRIES, 2))
    taken: set[str] = {f"{HERO['first']} {HERO['last']}"}
    for k in range(n):
        for t in range(NAME_TRIES):  # the same full name twice is rare in a real shop's books
            a, b = picks[k, t]
            if hindu[k]:
                pool = vocab.HINDU_FEMALE if female[k] else vocab.HINDU_MALE
                first, first_bn = pool[int(a * len(pool))], None
                last, last_bn = vocab.HINDU_SURNAMES[int(b * len(vocab.HINDU_SURNAMES))], None
            else:
                pool, sur = (female_first, female_sur) if female[k] else (male_first, male_sur)
                # a mild preference for the names at the top of each list, as in real name counts
                first, first_bn = pool[int(a ** 1.4 * len(pool))]
                last, last_bn, _ = sur[int(b * len(sur))]
            if f"{first} {last}" not in taken:
                break
        taken.add(f"{first} {last}")
        if bangla[k] and first_bn and last_bn:
            names.append(f"{first_bn} {last_bn}")
        else:
            names.append(f"{first} {last}")
        firsts.append(first)
        surnames.append(last)
    return names, firsts, surnames


def _hero(pop: "Population", columns: dict, tl: Timeline, agent_ids: list[int]) -> None:
    """Make customer ``HERO_INDEX`` the README's Rahim Uddin (after every random draw, so the rest
    of the world is the same with or without him)."""
    k = HERO_INDEX
    if k >= len(pop.ids):
        return
    name = f"{HERO['first']} {HERO['last']}"
    pop.names[k], pop.first_names[k], pop.surnames[k] = name, HERO["first"], HERO["last"]
    pop.female[k], pop.kind[k], pop.buyer[k], pop.married[k], pop.age[k] = False, 0, True, True, HERO["age"]
    pop.has_email[k] = True
    pop.agent[k] = agent_ids[0]
    city = next(c for c in vocab.CITIES if c[0] == HERO["city"])
    columns["name"][k] = name
    columns["email"][k] = "rahim.uddin@gmail.com"
    columns["company"][k] = None
    columns["city"][k], columns["district"][k] = city[0], city[1]
    columns["address"][k] = f"House 12, Road 4, {city[3][0]}, {city[0]}"
    columns["gender"][k] = "male"
    columns["date_of_birth"][k] = np.datetime64(HERO["date_of_birth"])
    columns["marital_status"][k] = "married"
    columns["anniversary_date"][k] = np.datetime64("NaT")
    columns["profession"][k] = "Software Engineer"
    columns["account_kind"][k] = "retail"
    columns["status"][k] = "active"
    columns["assigned_to_id"][k] = agent_ids[0]
    columns["timezone"][k] = "Asia/Dhaka"
    columns["language"][k] = "en"
    columns["quiet_hours_start"][k] = columns["quiet_hours_end"][k] = None
    columns["preferred_channel"][k] = "whatsapp"


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    prefixes = np.array([p for p, _ in vocab.MOBILE_PREFIXES])
    prefix = prefixes[weighted(rng, n, [w for _, w in vocab.MOBILE_PREFIXES])]
    subscriber = rng.integers(0, 100_000_000, n).tolist()
    full = [f"+880{p}{s:08d}" for p, s in zip(prefix.tolist(), subscriber)]
    seen: set[str] = set()
    for k, phone in enumerate(full):  # the rare clash gets the next free number
        while phone in seen:
            phone = phone[:6] + f"{(int(phone[6:]) + 1) % 100_000_000:08d}"
        seen.add(phone)
        full[k] = phone
    return full


def _emails(rng: np.random.Generator, firsts, surnames, age, has_email) -> list[str | None]:
    domains = vocab.EMAIL_DOMAINS
    style = rng.integers(0, 4, len(firsts))
    domain_pick = rng.integers(0, len(domains), len(firsts))
    seen: set[str] = set()
    out: list[str | None] = []
    for k, (first, last) in enumerate(zip(firsts, surnames)):
        if not has_email[k]:
            out.append(None)
            continue
        first, last = first.lower(), last.lower()
        local = [
            f"{first}.{last}",
            f"{first}{last}{(2026 - age[k]) % 100:02d}",
            f"{first}_{last}",
            f"{first}{k % 997}",
        ][style[k]]
        candidate, bump = local, 1
        while f"{candidate}@{domains[domain_pick[k]]}" in seen:
            bump += 1
            candidate = f"{local}{bump}"
        email = f"{candidate}@{domains[domain_pick[k]]}"
        seen.add(email)
        out.append(email)
    return out


def make_population(
    rng: np.random.Generator, n: int, first_id: int, tl: Timeline, agent_ids: list[int]
) -> tuple[Population, dict]:
    """Customers: the hidden facts and the ``customers`` columns."""
    ids = np.arange(first_id, first_id + n)
    female = rng.random(n) < 0.48
    kind = weighted(rng, n, [94, 4.5, 1.5])
    language = LANGS[(rng.random(n) < 0.45).astype(int)]
    bangla_script = (language == "bn") & (rng.random(n) < 0.12)
    names, firsts, surnames = _names(rng, n, female, bangla_script)
    age = np.clip(rng.gamma(9.0, 3.7, n) + 16, 18, 75).astype(int)
    # acquisition spreads over the two years, a little heavier recently as the shop grows
    created_s = tl.start_s + (rng.random(n) ** 0.85) * (HISTORY_DAYS - 1) * DAY
    buyer = rng.random(n) < 0.92
    first_order_s = np.minimum(created_s + rng.exponential(3 * DAY, n), tl.now_s - 3600)
    agent = np.where(rng.random(n) < 0.9, np.array(agent_ids)[weighted(rng, n, [36, 33, 31])], 0)
    agent = np.where(kind > 0, np.array(agent_ids)[rng.integers(0, len(agent_ids), n)], agent)
    cats = list(CATALOGUE)
    fav = np.stack([weighted(rng, n, [CATEGORY_WEIGHTS[c] for c in cats]) for _ in range(2)], axis=1)
    has_email = rng.random(n) < np.where(kind > 0, 0.95, 0.62)
    married = rng.random(n) < np.clip((age - 20) / 14, 0.05, 0.85)
    city = weighted(rng, n, [c[2] for c in vocab.CITIES])
    pop = Population(
        ids,
        names,
        firsts,
        female,
        kind,
        created_s,
        buyer,
        first_order_s,
        agent,
        fav,
        has_email,
        married,
        age,
        surnames,
    )

    today = np.datetime64(tl.today)
    dob = today - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    dob_known = rng.random(n) < 0.82
    wedding_age = np.clip(rng.normal(25, 3.5, n), 18, age - 0.5)
    anniversary = dob + (wedding_age * 365.25).astype("timedelta64[D]")
    anniversary_known = married & (rng.random(n) < 0.7) & (anniversary < today)
    area_pick = rng.random(n)
    companies = vocab.WHOLESALE_COMPANIES
    profession = np.array(vocab.PROFESSIONS)[rng.integers(0, len(vocab.PROFESSIONS), n)]
    quiet = rng.random(n) < 0.35
    quiet_pick = rng.integers(0, len(vocab.QUIET_HOURS), n)
    abroad = rng.random(n) < 0.02
    columns = {
        "id": ids,
        "name": names,
        "phone": _phones(rng, n),
        "email": _emails(rng, firsts, surnames, age, has_email),
        "company": [
            f"{companies[k % len(companies)]}, {vocab.CITIES[city[k]][0]}" if kind[k] else None
            for k in range(n)
        ],
        "city": [vocab.CITIES[c][0] for c in city],
        "district": [vocab.CITIES[c][1] for c in city],
        "address": [
            f"House {1 + k % 97}, Road {1 + (k * 7) % 23}, "
            f"{vocab.CITIES[c][3][int(area_pick[k] * len(vocab.CITIES[c][3]))]}, {vocab.CITIES[c][0]}"
            for k, c in enumerate(city)
        ],
        "gender": np.where(female, "female", "male"),
        "date_of_birth": np.where(dob_known, dob, np.datetime64("NaT")),
        "marital_status": np.where(married, "married", "single"),
        "anniversary_date": np.where(anniversary_known, anniversary, np.datetime64("NaT")),
        "profession": np.where(kind > 0, "Business Owner", profession),
        "best_time_to_contact": [vocab.BEST_TIMES[i] for i in rng.integers(0, len(vocab.BEST_TIMES), n)],
        "account_kind": KINDS[kind],
        "source": np.array([s for s, _ in vocab.SOURCES])[weighted(rng, n, [w for _, w in vocab.SOURCES])],
        "status": np.full(n, "active"),
        "assigned_to_id": [int(a) or None for a in agent],
        "timezone": np.where(abroad, np.array(ABROAD_ZONES)[rng.integers(0, 5, n)], "Asia/Dhaka"),
        "language": language,
        "quiet_hours_start": [
            _time(vocab.QUIET_HOURS[q][0]) if quiet[k] else None for k, q in enumerate(quiet_pick)
        ],
        "quiet_hours_end": [
            _time(vocab.QUIET_HOURS[q][1]) if quiet[k] else None for k, q in enumerate(quiet_pick)
        ],
        "preferred_channel": [
            None if c == "" else c
            for c in np.array(["whatsapp", "sms", "email", "facebook", ""])[
                weighted(rng, n, [45, 10, 8, 12, 25])
            ]
        ],
        "external_key": [f"DB-C{i:06d}" for i in ids.tolist()],
        "created_at": created_s,
        "updated_at": created_s,
    }
    _hero(pop, columns, tl, agent_ids)
    return pop, columns


def _time(text: str) -> time:
    return time.fromisoformat(text)
