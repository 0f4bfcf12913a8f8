"""One settings object for the whole product, read from the environment (prefix ``C360_``) and ``.env``."""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="C360_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # storage
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )

    # the business
    timezone: str = "Asia/Dhaka"
    currency: str = "BDT"
    business_name: str | None = Field(default=None, description="Signs reply drafts; unset: 'The team'")
    phone_region: str = "BD"
    now: datetime | None = Field(
        default=None, description="Freeze the clock (ISO 8601); for demos, tests and evals."
    )

    # rules
    rfm_mode: str = Field(default="fixed", pattern="^(fixed|quintile)$")
    rfm_monetary_thresholds: tuple[float, float, float, float] = (5000, 2500, 1000, 500)
    agents_see_all_customers: bool = True
    follow_up_lapse_days: int = Field(
        default=30, ge=1, description="A follow-up overdue by more than this many days stops being due "
        "on the call list and counts only as a weaker 'lapsed follow-up'")
    negative_outcome_days: int = Field(
        default=30, ge=1, description="A 'not interested' or a complaint this recent lowers a customer's "
        "call priority (until a later positive contact or order)")
    writes_need_approval: bool = True

    # language model (none configured = the offline model)
    llm_backend: str = Field(default="auto", pattern="^(auto|offline|openai|openai-json)$")
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = Field(
        default=None, description="Model name; none: the first model the server's /v1/models lists (gpt-4o-mini on OpenAI)"
    )
    llm_timeout_seconds: float = Field(
        default=120.0, gt=0, description="Longest wait for one model step; a 2-core CPU server meets it for 1.5k prompt tokens"
    )
    llm_connect_timeout_seconds: float = Field(default=5.0, gt=0, description="A dead server fails this fast")
    llm_max_tokens: int = Field(default=384, ge=16, description="Most tokens one model step may generate")
    llm_tool_selection: str = Field(
        default="intent", pattern="^(intent|all)$",
        description="intent: each step offers only the tools of the request's intent (a small prompt); all: every tool"
    )
    llm_referee: bool = Field(
        default=True, description="The offline model's reading of the user's words referees an LLM's calls and replies"
    )
    llm_max_retries: int = 3
    llm_retry_wait_seconds: float = Field(
        default=1.0, ge=0, description="First pause between LLM retries; doubles each attempt (Retry-After wins)"
    )

    # agent
    agent_max_steps: int = Field(default=6, ge=1, description="Model steps (tool rounds) allowed per turn")
    agent_history_messages: int = Field(
        default=40, ge=6, description="Messages a conversation keeps; older ones are summarised"
    )
    agent_max_message_chars: int = Field(
        default=16000, ge=100, description="Longest message a turn accepts (a pasted call transcript fits)"
    )

    # slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    digest_at: str | None = Field(default=None, description="HH:MM local time for the daily digest")
    working_days: str = Field(
        default="sun,mon,tue,wed,thu",
        description="Days the daily digest runs, comma-separated (mon..sun); default Bangladesh's Sunday-Thursday",
    )

    # http
    host: str = "127.0.0.1"
    port: int = 8360
    chat_rate_limit_per_minute: int = 30
    workers: int = Field(default=1, ge=1, description="Server processes `c360 serve` starts (more than 1: PostgreSQL only)")
    leader_poll_seconds: float = Field(
        default=30.0, gt=0, description="How often a server process checks it leads the daily jobs (refresh, "
        "digest), so one takes over soon after a leader dies")
    max_request_bytes: int = Field(default=65536, ge=1024,
                                   description="Largest request body on any HTTP route (413 beyond)")
    slack_max_request_bytes: int = Field(default=1048576, ge=1024,
                                         description="Largest request body on /slack/events (413 beyond)")
    demo_mode: bool = Field(
        default=False, description="Serve GET /demo-token (loopback clients only) so the web page can try c360 "
        "as the 'Demo Agent' user without a token; `make run` turns it on. Never on a shared server.")

    # data retention
    retention_days_notes: int | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Asia/Dhaka") from exc
        return value

    @field_validator("digest_at")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        match = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*", value)
        if not match:
            raise ValueError(f"digest_at {value!r} is not a time of day: use HH:MM, e.g. 09:00")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, value: str) -> str:
        days = [d.strip().lower()[:3] for d in value.split(",") if d.strip()]
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"working_days {value!r}: list days as {','.join(WEEKDAYS)}, e.g. sun,mon,tue,wed,thu")
        return ",".join(sorted(set(days), key=WEEKDAYS.index))

    @property
    def working_weekdays(self) -> frozenset[int]:
        """The working days as ``date.weekday()`` numbers (Monday 0)."""
        return frozenset(WEEKDAYS.index(d) for d in self.working_days.split(","))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'c360.db').resolve()}"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)


@lru_cache
def get_settings() -> Settings:
    return Settings()
