"""What surrounds each demo customer: family members, consent (current and its log), tags and notes."""

from __future__ import annotations

import numpy as np

from domain.demo import vocabulary as vocab
from domain.demo.people import HERO_INDEX, Population
from domain.demo.timeline import DAY, Timeline

OPT_OUT_REASONS = {
    "whatsapp": ["asked to stop promotional WhatsApp messages", "blocked the business number"],
    "sms": ["replied STOP to a promotional SMS", "too many SMS during Eid sale"],
    "email": ["clicked unsubscribe in the newsletter", "email marked as spam"],
    "facebook": ["asked not to be messaged on Messenger"],
}


def _day(value: np.datetime64) -> np.datetime64:
    return value.astype("datetime64[D]")


def family_columns(
    rng: np.random.Generator, pop: Population, customers: dict, tl: Timeline, first_id: int
) -> dict:
    """Spouses, children, parents and siblings with birthdays (and the couple's anniversary)."""
    rows: dict[str, list] = {
        k: []
        for k in (
            "customer_id",
            "name",
            "name_key",
            "relationship",
            "date_of_birth",
            "anniversary_date",
            "phone",
            "gender",
            "profession",
            "created_at",
        )
    }
    today = np.datetime64(tl.today)
    male_first = [m[0] for m in vocab.MALE_FIRST]
    female_first = [f[0] for f in vocab.FEMALE_FIRST]
    draws = rng.random((len(pop.ids), 12))

    def add(k, name, relationship, dob, anniversary=None, gender=None, phone=None):
        rows["customer_id"].append(int(pop.ids[k]))
        rows["name"].append(name)
        rows["name_key"].append(" ".join(name.lower().split()))
        rows["relationship"].append(relationship)
        rows["date_of_birth"].append(None if dob is None or dob > today else _day(dob).item())
        rows["anniversary_date"].append(anniversary)
        rows["phone"].append(phone)
        rows["gender"].append(gender)
        rows["profession"].append(None)
        rows["created_at"].append(pop.created_s[k] + draws[k, 11] * (tl.now_s - pop.created_s[k]))

    for k in range(len(pop.ids)):
        d = draws[k]
        if k == HERO_INDEX:  # the README adds his wife; nobody else is on record for him
            continue
        dob = customers["date_of_birth"][k]
        known_dob = not np.isnat(dob)
        base_dob = dob if known_dob else today - np.timedelta64(int(pop.age[k] * 365.25), "D")
        surname = pop.surnames[k]
        if pop.married[k] and d[0] < 0.8:
            female_spouse = not pop.female[k]
            first = (
                female_first[int(d[1] ** 2 * len(female_first))]
                if female_spouse
                else male_first[int(d[1] ** 2 * len(male_first))]
            )
            last = (
                (surname if d[2] < 0.5 else ("Begum" if d[2] < 0.75 else "Akter"))
                if female_spouse
                else ["Uddin", "Ahmed", "Hossain", "Rahman", "Islam", "Khan"][int(d[2] * 6)]
            )
            gap = int((d[3] * 8 - (1 if female_spouse else -1) * 2) * 365)
            anniversary = customers["anniversary_date"][k]
            phone = f"+88017{int(d[4] * 1e8):08d}" if d[4] < 0.4 else None
            add(
                k,
                f"{first} {last}",
                "spouse",
                base_dob + np.timedelta64(gap if female_spouse else -gap, "D"),
                None if np.isnat(anniversary) else _day(anniversary).item(),
                "female" if female_spouse else "male",
                phone,
            )
        if pop.married[k] and pop.age[k] >= 24:
            taken = set()
            for c in range(min(int(d[5] * 4), 3)):
                girl = rng.random() < 0.5
                pool = female_first if girl else male_first
                first = pool[int(rng.random() * len(pool))]
                if first in taken:
                    continue
                taken.add(first)
                child_age = rng.uniform(0.5, max(pop.age[k] - 23, 1.0))
                add(
                    k,
                    f"{first} {surname}",
                    "child",
                    today - np.timedelta64(int(child_age * 365.25), "D"),
                    gender="female" if girl else "male",
                )
        if d[6] < 0.08:
            mother = d[7] < 0.6
            first = (
                female_first[int(d[8] * len(female_first))]
                if mother
                else male_first[int(d[8] * len(male_first))]
            )
            add(
                k,
                f"{first} {'Begum' if mother else surname}",
                "parent",
                base_dob - np.timedelta64(int((24 + d[9] * 12) * 365.25), "D"),
                gender="female" if mother else "male",
            )
        if d[9] < 0.06:
            first = male_first[int(d[10] * len(male_first))]
            add(
                k,
                f"{first} {surname}",
                "sibling",
                base_dob + np.timedelta64(int((d[10] - 0.5) * 3000), "D"),
                gender="male",
            )
    rows["id"] = list(range(first_id, first_id + len(rows["name"])))
    return rows


def consent_columns(
    rng: np.random.Generator, pop: Population, customers: dict, tl: Timeline, first_event_id: int
) -> tuple[dict, dict]:
    """Current consent per channel and the append-only log that explains it."""
    consent = {k: [] for k in ("customer_id", "channel", "opted_in", "updated_at")}
    events = {k: [] for k in ("customer_id", "channel", "opted_in", "source", "reason", "occurred_at")}
    n = len(pop.ids)
    do_not_contact = rng.random(n) < 0.02
    draws = rng.random((n, 8))
    opt_in_rate = {"whatsapp": 0.95, "sms": 0.9, "email": 0.86, "facebook": 0.93}
    for k in range(n):
        channels = ["whatsapp", "sms"]
        if customers["email"][k]:
            channels.append("email")
        if customers["source"][k] == "facebook":
            channels.append("facebook")
        signup = float(pop.created_s[k])
        for j, channel in enumerate(channels):
            opted_in = not do_not_contact[k] and draws[k, j] < opt_in_rate[channel]
            events["customer_id"].append(int(pop.ids[k]))
            events["channel"].append(channel)
            events["opted_in"].append(True)
            events["source"].append("signup")
            events["reason"].append("consent box ticked at sign-up")
            events["occurred_at"].append(signup)
            changed = signup
            if not opted_in:
                changed = signup + draws[k, 4 + j % 4] * max(tl.now_s - signup - DAY, 0) + 3600
                reasons = OPT_OUT_REASONS[channel]
                events["customer_id"].append(int(pop.ids[k]))
                events["channel"].append(channel)
                events["opted_in"].append(False)
                events["source"].append("customer_request")
                events["reason"].append(
                    "asked not to be contacted at all"
                    if do_not_contact[k]
                    else reasons[int(draws[k, 7] * len(reasons))]
                )
                events["occurred_at"].append(changed)
            consent["customer_id"].append(int(pop.ids[k]))
            consent["channel"].append(channel)
            consent["opted_in"].append(bool(opted_in))
            consent["updated_at"].append(changed)
    events["id"] = list(range(first_event_id, first_event_id + len(events["channel"])))
    return consent, events


def tag_columns(rng: np.random.Generator, pop: Population, first_id: int) -> dict:
    """One to three tags for about a third of the customers (never twice the same on one customer)."""
    n = len(pop.ids)
    counts = np.where(rng.random(n) < 0.32, rng.integers(1, 4, n), 0)
    owners = np.repeat(pop.ids, counts)
    tags = []
    for count in counts[counts > 0]:
        tags.extend(vocab.TAGS[i] for i in rng.choice(len(vocab.TAGS), count, replace=False))
    return {"id": np.arange(first_id, first_id + len(tags)), "customer_id": owners, "tag": tags}


def note_columns(rng: np.random.Generator, pop: Population, tl: Timeline, first_id: int) -> dict:
    """A pinned or plain note on about one customer in twelve, written by their agent."""
    chosen = np.flatnonzero(rng.random(len(pop.ids)) < 0.08)
    written = pop.created_s[chosen] + rng.random(len(chosen)) * (tl.now_s - pop.created_s[chosen])
    return {
        "id": np.arange(first_id, first_id + len(chosen)),
        "customer_id": pop.ids[chosen],
        "author_id": [int(a) or None for a in pop.agent[chosen]],
        "type": np.where(rng.random(len(chosen)) < 0.5, "preference", "general"),
        "body": [vocab.NOTE_BODIES[i] for i in rng.integers(0, len(vocab.NOTE_BODIES), len(chosen))],
        "pinned": (rng.random(len(chosen)) < 0.3).tolist(),
        "created_at": written,
    }
