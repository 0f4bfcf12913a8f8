"""The eval case format of ../shared/CONTRACT.md section 2, as pydantic models, and the YAML loader."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FixtureUser(Strict):
    name: str
    role: Literal["agent", "manager", "admin"] = "agent"
    slack_id: str | None = None


class FixtureProduct(Strict):
    name: str
    category: str | None = None
    price: float = 0
    sku: str | None = None


class FixtureOrder(Strict):
    id: str | int | None = None
    date: date | datetime
    amount: float
    status: Literal["completed", "pending", "cancelled", "refunded"] = "completed"
    items: list[str] = Field(default_factory=list)


class FixtureInteraction(Strict):
    date: date | datetime
    time: str | None = None  # HH:MM local
    type: str
    direction: Literal["inbound", "outbound"] = "outbound"
    outcome: str | None = None
    notes: str | None = None
    subject: str | None = None
    duration_seconds: int | None = None
    follow_up_at: date | datetime | None = None


class FixtureFamily(Strict):
    name: str
    relationship: str
    date_of_birth: date | None = None
    anniversary_date: date | None = None
    phone: str | None = None
    email: str | None = None
    gender: str | None = None
    profession: str | None = None


class FixtureOpportunity(Strict):
    key: str | None = None
    name: str
    stage: str = "qualification"
    value: float = 0
    probability: float | None = None  # percent 0-100 (a value strictly between 0 and 1: a fraction)
    status: Literal["open", "won", "lost"] = "open"


class FixtureNote(Strict):
    text: str
    type: str = "internal"
    pinned: bool = False
    author: str | None = None  # a user's name (created as an agent when not listed); default: nobody


class FixtureDropoff(Strict):
    key: str | None = None
    date: date | datetime
    stage: str
    cart_value: float = 0
    product: str | None = None
    reason: str | None = None
    recovered: bool = False


class FixtureBehavior(Strict):
    date: date | datetime
    type: Literal["product_view", "add_to_cart", "wishlist", "search"]
    product: str | None = None
    query: str | None = None
    count: int = 1


class QuietHours(Strict):
    start: str
    end: str


class Loyalty(Strict):
    points: int = 0
    tier: str = "bronze"


class FixtureCustomer(Strict):
    key: str
    name: str
    phone: str | None = None
    email: str | None = None
    company: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None
    gender: str | None = None
    marital_status: str | None = None
    date_of_birth: date | None = None
    anniversary_date: date | None = None
    profession: str | None = None
    available_time: str | None = None
    customer_type: str | None = None
    account_kind: str | None = None
    lifecycle_stage: str | None = None
    timezone: str | None = None
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    loyalty: Loyalty | None = None
    assigned_to: str | None = None
    consent: dict[str, bool] = Field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    orders: list[FixtureOrder] = Field(default_factory=list)
    interactions: list[FixtureInteraction] = Field(default_factory=list)
    family: list[FixtureFamily] = Field(default_factory=list)
    dropoffs: list[FixtureDropoff] = Field(default_factory=list)
    behavior: list[FixtureBehavior] = Field(default_factory=list)
    opportunities: list[FixtureOpportunity] = Field(default_factory=list)
    notes: list[FixtureNote] = Field(default_factory=list)


class FixtureSnippet(Strict):
    """A knowledge snippet the business keeps (an answer a draft may quote); tags as a list."""

    title: str
    body: str
    tags: list[str] = Field(default_factory=list)
    language: str = "en"


class Fixture(Strict):
    users: list[FixtureUser] = Field(default_factory=list)
    products: list[FixtureProduct] = Field(default_factory=list)
    customers: list[FixtureCustomer] = Field(default_factory=list)
    knowledge: list[FixtureSnippet] = Field(default_factory=list)

    @field_validator("customers")
    @classmethod
    def _unique_keys(cls, customers: list[FixtureCustomer]) -> list[FixtureCustomer]:
        keys = [c.key for c in customers]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"customer keys must be unique within a case: {dupes}")
        return customers


class ExpectedCall(Strict):
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] | None = None  # fields of the tool's result, same matchers as args


ENTITIES = ("interactions", "family_members", "dropoffs", "consent", "notes", "tags", "follow_ups",
            "opportunities")


class DbExpectation(Strict):
    """One check on the final database (CONTRACT §2 ``expect_db``); see docs/evals.md."""

    entity: Literal[ENTITIES]  # type: ignore[valid-type]
    where: dict[str, Any] = Field(default_factory=dict)
    count: int | None = Field(None, ge=0)
    exists: bool | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class ReplyCheck(Strict):
    contains: str | list[str] | None = None
    not_contains: str | list[str] | None = None


class Expect(Strict):
    calls: list[ExpectedCall] | None = None
    reply: ReplyCheck | None = None
    expect_db: list[DbExpectation] = Field(default_factory=list)  # checked right after this turn


class Turn(Strict):
    user: str
    expect: Expect = Field(default_factory=Expect)
    approve: bool = True


class Case(Strict):
    id: str
    split: Literal["train", "dev", "test", "sealed", "llm"] = "test"
    today: datetime
    user: FixtureUser = FixtureUser(name="Eval Agent")
    fixture: Fixture = Field(default_factory=Fixture)
    turns: list[Turn]
    check_db: bool = True
    expect_db: list[DbExpectation] = Field(default_factory=list)  # checked after the last turn
    settings: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    description: str | None = None
    source: str | None = Field(default=None, exclude=True)  # file it came from

    @field_validator("turns")
    @classmethod
    def _some_turns(cls, turns: list[Turn]) -> list[Turn]:
        if not turns:
            raise ValueError("a case needs at least one turn")
        return turns


class CaseFileError(ValueError):
    """A case file that cannot be read; the message names the file, the case and the problem."""


def _case_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise CaseFileError(f"{path}: no such file or folder")
    return files


def load_cases(paths: list[str | Path], split: str | None = None, tags: list[str] | None = None) -> list[Case]:
    """Every case in the YAML files under ``paths`` (a file holds one case or a list), ids unique."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for file in _case_files([Path(p) for p in paths]):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CaseFileError(f"{file}: not valid YAML: {exc}") from exc
        if data is None:
            continue
        for index, raw in enumerate(data if isinstance(data, list) else [data]):
            label = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
            try:
                case = Case.model_validate(raw)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
                )
                raise CaseFileError(f"{file}: case {label}: {problems}") from exc
            if case.id in seen:
                raise CaseFileError(f"{file}: case id {case.id!r} is also used in {seen[case.id]}")
            seen[case.id] = str(file)
            case.source = str(file)
            cases.append(case)
    if split:
        cases = [c for c in cases if c.split == split]
    if tags:
        cases = [c for c in cases if set(tags) & set(c.tags)]
    return cases
