"""One settings object for the whole product, read from the environment (prefix ``C360_``) and ``.env``."""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
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
    llm_tool_results: str = Field(
        default="text", pattern="^(text|json)$",
        description="text: a model reads a long tool result as the tool's own words (a small prompt); json: as data"
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
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-...): Socket Mode, Slack over an outgoing websocket, "
        "so no public URL is needed; the signing secret is then optional (docs/slack.md)")
    slack_api_url: str = "https://slack.com/api/"
    digest_at: str | None = Field(default=None, description="HH:MM local time for the daily digest")
    working_days: str = Field(
        default="sun,mon,tue,wed,thu",
        description="Days the daily digest runs, comma-separated (mon..sun); default Bangladesh's Sunday-Thursday",
    )

    # alerts: c360 speaks first (domain/alerts, docs/alerts.md)
    alert_kinds: str = Field(
        default="vip,champions,churn_high,sla_breached,cart_abandoned,low_csat",
        description="The threshold crossings recorded as alert events, comma-separated")
    alert_cart_value: float = Field(default=5000, gt=0, description="An abandoned cart worth at least this "
                                    "(the business currency) raises a cart_abandoned alert")
    alert_low_csat: int = Field(default=2, ge=1, le=4, description="A CSAT rating at or below this (1-5) is low")
    alert_channel: str | None = Field(
        default=None, description="Slack channel id for alerts on unassigned customers (and agents "
        "without a Slack id); managers watch it. Unset: those go to webhooks only")
    alert_daily_cap: int = Field(default=20, ge=0, description="Most alert DMs a user gets a day (a "
                                 "user's own preference wins); the rest are skipped and logged")
    alert_worker: bool = Field(default=True, description="`c360 serve` runs the alert delivery worker")
    alert_poll_seconds: float = Field(default=5.0, gt=0, description="How often the worker looks for due deliveries")
    alert_lease_seconds: int = Field(default=120, ge=10, description="A claimed delivery not finished within "
                                     "this is taken again by another worker (a crash is never lost)")
    alert_max_attempts: int = Field(default=8, ge=1, description="Tries before a delivery is marked failed")
    alert_retry_seconds: float = Field(default=30.0, gt=0, description="First pause before a retry; "
                                       "doubles each attempt (with jitter), at most an hour")
    webhook_urls: str = Field(default="", description="Comma-separated URLs that receive every alert event "
                              "as signed JSON (docs/alerts.md)")
    webhook_secret: SecretStr | None = Field(default=None, description="HMAC-SHA256 key for webhook signatures; "
                                             "required when webhook_urls is set")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

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

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith("xapp-"):
            raise ValueError("slack_app_token must be the app-level token (xapp-...), from Basic Information > "
                             "App-Level Tokens with the connections:write scope")
        return value

    @field_validator("alert_kinds")
    @classmethod
    def _alert_kinds(cls, value: str) -> str:
        from domain.models.alerts import ALERT_KINDS

        kinds = [k.strip().lower() for k in value.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in ALERT_KINDS]
        if unknown:
            raise ValueError(f"alert_kinds: unknown {', '.join(unknown)}; use any of {','.join(ALERT_KINDS)}")
        return ",".join(k for k in ALERT_KINDS if k in kinds)

    @field_validator("webhook_urls")
    @classmethod
    def _webhook_urls(cls, value: str) -> str:
        urls = [u.strip() for u in value.split(",") if u.strip()]
        bad = [u for u in urls if not re.match(r"https?://[^\s/]+", u)]
        if bad:
            raise ValueError(f"webhook_urls: {', '.join(bad)} is not an http(s) URL")
        return ",".join(urls)

    @model_validator(mode="after")
    def _webhooks_signed(self) -> "Settings":
        if self.webhook_urls and not (self.webhook_secret and self.webhook_secret.get_secret_value()):
            raise ValueError("webhook_urls is set but webhook_secret is not: set C360_WEBHOOK_SECRET "
                             "(webhooks are always signed)")
        return self

    @property
    def alert_kind_set(self) -> frozenset[str]:
        return frozenset(k for k in self.alert_kinds.split(",") if k)

    @property
    def webhook_url_list(self) -> tuple[str, ...]:
        return tuple(u for u in self.webhook_urls.split(",") if u)

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
