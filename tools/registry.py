"""One registry of tools: each a typed function with a pydantic argument model and a docstring.

The JSON schema the model sees is generated from the argument model; the description is the
function's docstring. ``call_tool`` is the only way anything runs a tool: it validates arguments,
checks the actor's permissions, runs reads in a session and writes through the write gate, and
turns every failure into a ``ToolError``.

A tool registered with ``offered=False`` (``export_customer``) is for the channels only: it is
left out of ``openai_tools()`` and ``offered_tools()``, so no model sees its schema, and the
agent's graph refuses a call to it (``is_offered``).
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from typing import Any, Callable, Literal

from pydantic import BaseModel, ValidationError

from domain.db import read_session
from domain.errors import DomainError
from domain.plain_text import clean_strings
from tools.context import ToolContext
from tools.results import ToolError, ToolResult
from tools.telemetry import observed_tool_call

log = logging.getLogger(__name__)

Kind = Literal["read", "write"]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    kind: Kind
    args_model: type[BaseModel]
    fn: Callable[..., ToolResult]
    description: str
    offered: bool = True  # False: never shown to (or run for) a model; channels call it directly
    # writes: (ctx, session, args) -> None, raises Forbidden; run when the write is proposed and
    # again inside the write's transaction (None: the gate's default, may the actor act on the customer)
    authorize: Callable[..., None] | None = None
    # writes: (ctx, session, args) -> lines the confirmation shows besides the fields (what will change)
    preview: Callable[..., list[str]] | None = None

    def openai_schema(self) -> dict[str, Any]:
        schema = inline_refs(self.args_model.model_json_schema())
        schema.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": schema},
        }


REGISTRY: dict[str, ToolSpec] = {}


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every ``$ref`` to ``$defs`` replaced by its definition.

    Many OpenAI-compatible servers (llama.cpp, vLLM grammars, older proxies) reject or ignore
    ``$ref``; enums used by our argument models are small, so inlining costs little.
    """
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            extra = {k: walk(v) for k, v in node.items() if k != "$ref"}
            merged = {**{k: v for k, v in target.items() if k != "title"}, **extra}
            return merged
        return {k: walk(v) for k, v in node.items() if k != "$defs"}

    return walk(schema)


def tool(kind: Kind, name: str | None = None, *, offered: bool = True,
         authorize: Callable[..., None] | None = None, preview: Callable[..., list[str]] | None = None):
    """Register ``fn(ctx, session, args) -> ToolResult`` as a tool. Its args model is its 3rd annotation.

    ``offered=False`` keeps it away from models (see the module docstring). For writes,
    ``authorize`` replaces the gate's default permission check and ``preview`` adds lines to the
    confirmation (``tools.gate``)."""

    def register(fn: Callable[..., ToolResult]) -> Callable[..., ToolResult]:
        params = list(inspect.signature(fn, eval_str=True).parameters.values())
        args_model = params[2].annotation
        if not (isinstance(args_model, type) and issubclass(args_model, BaseModel)):
            raise TypeError(
                f"{fn.__name__}: third parameter must be annotated with a pydantic model"
            )
        spec = ToolSpec(
            name=name or fn.__name__,
            kind=kind,
            args_model=args_model,
            fn=fn,
            description=inspect.cleandoc(fn.__doc__ or ""),
            offered=offered,
            authorize=authorize,
            preview=preview,
        )
        if spec.name in REGISTRY:
            raise ValueError(f"tool {spec.name} registered twice")
        REGISTRY[spec.name] = spec
        return fn

    return register


def load_tools() -> dict[str, ToolSpec]:
    """Import every tool module so the registry is complete."""
    import tools.catalog  # noqa: F401  (the module that imports all tool modules)

    return REGISTRY


def offered_tools() -> list[str]:
    """The names of the tools a model may see and call, sorted."""
    return sorted(name for name, spec in load_tools().items() if spec.offered)


def is_offered(name: str) -> bool:
    """Whether a model may call this tool (unknown names: no)."""
    spec = load_tools().get(name)
    return bool(spec and spec.offered)


def openai_tools(names: list[str] | None = None) -> list[dict[str, Any]]:
    """The JSON schemas a model sees: the named tools, or every offered one."""
    specs = load_tools()
    return [specs[n].openai_schema() for n in (names or offered_tools())]


def is_write(name: str) -> bool:
    spec = load_tools().get(name)
    return bool(spec and spec.kind == "write")


# which record a write is about: changing it is a new request (resolved and shown again), not an edit
FIXED_ARGUMENTS = ("customer", "dropoff_id")


def editable_fields(name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """Each argument of a waiting write that a person may edit before approving, from the tool's schema.

    ``{name, kinds, enum, description, value}`` per property, in the schema's order, so an edit form on
    any channel shows a new optional argument without changes of its own.
    """
    properties = load_tools()[name].openai_schema()["function"]["parameters"].get("properties", {})
    fields = []
    for field, schema in properties.items():
        if field in FIXED_ARGUMENTS:
            continue
        options = schema.get("anyOf") or [schema]
        enum = [v for o in options for v in o.get("enum", [])]
        fields.append({"name": field, "kinds": sorted({o["type"] for o in options if o.get("type")}),
                       "enum": enum or None, "description": schema.get("description"),
                       "value": arguments.get(field)})
    return fields


def validate_args(name: str, raw_args: dict[str, Any] | None) -> BaseModel | ToolError:
    """The parsed argument model, or an error that says which argument is wrong and why."""
    spec = load_tools().get(name)
    if spec is None:
        known = ", ".join(offered_tools())
        return ToolError(
            error="unknown_tool", message=f"there is no tool {name!r}; the tools are: {known}"
        )
    try:
        # no control characters reach a row (PostgreSQL refuses U+0000; SQLite would store it)
        return spec.args_model.model_validate(clean_strings(raw_args or {}))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
            for err in exc.errors()
        )
        first = exc.errors()[0]["loc"] if exc.errors() else ()
        return ToolError(
            error="invalid",
            message=f"invalid arguments for {name}: {problems}",
            field=str(first[0]) if first else None,
        )
    except (TypeError, ValueError) as exc:  # a validator given a value of a shape it never expects
        return ToolError(error="invalid", message=f"invalid arguments for {name}: {exc}")


@observed_tool_call  # /metrics: calls and writes by tool and outcome
def call_tool(
    name: str, raw_args: dict[str, Any] | None, ctx: ToolContext
) -> ToolResult | ToolError:
    """Run one tool call for ``ctx.actor``. Never raises for bad input, permissions or missing records."""
    from tools.gate import run_write

    args = validate_args(name, raw_args)
    if isinstance(args, ToolError):
        return args
    spec = REGISTRY[name]
    try:
        if spec.kind == "write":
            return run_write(spec, args, ctx)
        with read_session(ctx.sessions) as session:
            return spec.fn(ctx, session, args)
    except DomainError as exc:
        return error_from(exc)
    except OverflowError:  # date arithmetic past year 9999 or before year 1 (a date near the calendar's edge)
        return ToolError(error="invalid", message=f"{name}: a date in the request is too far in the past or "
                                                  "future to work with; use a date between 1970 and 9000")
    except Exception:  # a bug must not crash the conversation; it is logged with the request id
        log.exception("tool %s failed (request %s)", name, ctx.request_id)
        return ToolError(
            error="internal",
            message=f"{name} failed unexpectedly; nothing was written. "
            "Try again, or report it with the request id.",
        )


def error_from(exc: DomainError) -> ToolError:
    candidates = getattr(exc, "candidates", None) or []
    return ToolError(error=exc.code, message=exc.message, field=exc.field, candidates=candidates)
