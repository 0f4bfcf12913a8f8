"""Tool schemas as small models read them: compact, and bound per tool for servers that enforce them.

The registry's schemas (generated from the tools' pydantic models) carry titles, defaults, long
descriptions and ``anyOf [x, null]`` wrappers: about 450 tokens a tool. ``compact_tool`` keeps what a
model needs to call it right (names, types, enums, required, a short description: ~120 tokens);
``step_schema`` binds ``openai-json``'s answer to exactly one tool's arguments (names, types, enums)
or a reply, so a grammar-enforcing server (llama.cpp, vLLM, Ollama) cannot produce an invalid call.
"""
from __future__ import annotations

import re
from typing import Any

CATALOGUE_WORDS = 80  # characters of a tool's description in the JSON-mode catalogue (a step costs at most 1,500 tokens)
_KEEP = ("type", "enum", "const", "format", "items", "minimum", "maximum", "minLength")


def first_sentence(text: str | None, limit: int = 160) -> str:
    """The first sentence of a docstring, at most ``limit`` characters."""
    text = " ".join((text or "").split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def compact_property(schema: dict[str, Any], describe: bool = True) -> dict[str, Any]:
    """One parameter: ``anyOf [x, null]`` unwrapped, titles and defaults dropped, description shortened."""
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    out: dict[str, Any] = {}
    if len(options) == 1:
        out.update(compact_property(options[0], describe=False))
    elif options:
        types = [o.get("type") for o in options if o.get("type")]
        if types and len(types) == len(options) and all(not set(o) - {"type"} for o in options):
            out["type"] = types
        else:
            out["anyOf"] = [compact_property(o, describe=False) for o in options]
    for key in _KEEP:
        if key in schema:
            out[key] = compact_property(schema[key], False) if key == "items" and isinstance(schema[key], dict) \
                else schema[key]
    if describe and schema.get("description"):
        out["description"] = first_sentence(schema["description"], 60)
    return out


def compact_parameters(parameters: dict[str, Any], describe: bool = True) -> dict[str, Any]:
    properties = parameters.get("properties") or {}
    out: dict[str, Any] = {"type": "object",
                           "properties": {name: compact_property(p, describe) for name, p in properties.items()}}
    if parameters.get("required"):
        out["required"] = list(parameters["required"])
    return out


def compact_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI tool schema, compact."""
    function = tool["function"]
    return {"type": "function", "function": {
        "name": function["name"], "description": first_sentence(function.get("description")),
        "parameters": compact_parameters(function.get("parameters") or {})}}


def catalogue_line(tool: dict[str, Any]) -> str:
    """``name(a*, b, c=enum|values): what it does`` — one line a JSON-mode prompt lists per tool."""
    function = tool["function"]
    parameters = function.get("parameters") or {}
    required = set(parameters.get("required") or [])
    parts = []
    for name, schema in (parameters.get("properties") or {}).items():
        prop = compact_property(schema, describe=False)
        label = name + ("*" if name in required else "")
        if prop.get("enum"):
            label += "=" + "|".join(str(v) for v in prop["enum"])
        elif prop.get("items", {}).get("enum"):
            label += "=[" + "|".join(str(v) for v in prop["items"]["enum"]) + "]"
        elif prop.get("format") in ("date", "date-time"):
            label += ":" + ("YYYY-MM-DD" if prop["format"] == "date" else "datetime")
        parts.append(label)
    return f"- {function['name']}({', '.join(parts)}): {first_sentence(function.get('description'), CATALOGUE_WORDS)}"


def bound_arguments(tool: dict[str, Any]) -> dict[str, Any]:
    """The tool's arguments as a closed object schema (no parameter the tool does not have)."""
    schema = compact_parameters(tool["function"].get("parameters") or {}, describe=False)
    schema["additionalProperties"] = False
    return schema


def step_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One ``openai-json`` step: exactly one tool with that tool's own arguments, or a reply."""
    options: list[dict[str, Any]] = [
        {"type": "object", "properties": {"tool": {"const": t["function"]["name"]}, "arguments": bound_arguments(t)},
         "required": ["tool", "arguments"], "additionalProperties": False}
        for t in tools
    ]
    options.append({"type": "object", "properties": {"reply": {"type": "string"}}, "required": ["reply"],
                    "additionalProperties": False})
    return {"anyOf": options}


def slim_tool(tool: dict[str, Any], refereed: set[str] | frozenset[str]) -> dict[str, Any]:
    """The tool without the optional parameters a referee fills from the user's words (filters, dates,
    limits, outcomes: ``agent.referee.REFEREED``): the model cannot invent them, and a small model
    reads a third of the schema. Required parameters always stay."""
    function = tool["function"]
    parameters = dict(function.get("parameters") or {})
    required = set(parameters.get("required") or [])
    properties = {name: schema for name, schema in (parameters.get("properties") or {}).items()
                  if name in required or name not in refereed}
    return {**tool, "function": {**function, "parameters": {**parameters, "properties": properties}}}
