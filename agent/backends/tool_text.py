"""Tool calls written as text: what models send instead of (or besides) the native tool-call field.

Small and local models often write the call into the message content. ``read_tool_calls`` reads
every disguise seen from real servers and documented by the model families:

* Hermes / Qwen: ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
* a fenced or bare JSON object (or list of them) naming a tool: ``{"name"|"tool"|"function": ...,
  "arguments"|"parameters"|"args": ...}``; the arguments may be a JSON string
* ``<tools><function name="x" arguments='{...}'/></tools>`` and ``<tools>{json}</tools>``
* Llama 3.1 ``<function=x>{...}</function>``, ``<function name="x">{...}</function>``,
  ``<|python_tag|>{...}``
* Mistral ``[TOOL_CALLS] [{"name": ..., "arguments": {...}}]`` (and ``[TOOL_CALLS]x[ARGS]{...}``)
* ``name {json}`` / ``name\\n{json}``: a tool name (any case, spaces for underscores) then its object

Only names of tools that exist are read as calls (a bare JSON object naming nothing known is not a
call); ``looks_like_markup`` tells whether a text would show such markup to a user.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.DOTALL)
_HERMES = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FUNCTION_ATTR = re.compile(
    r"<function\s+name\s*=\s*[\"']?([\w.-]+)[\"']?\s+(?:arguments|parameters|args)\s*=\s*"
    r"(?P<q>['\"])(.*?)(?P=q)\s*/?>", re.DOTALL)
_FUNCTION_BODY = re.compile(r"<function(?:\s*=\s*|\s+name\s*=\s*)[\"']?([\w.-]+)[\"']?\s*>\s*(.*?)\s*(?:</function>|$)", re.DOTALL)
_MISTRAL_ARGS = re.compile(r"\[TOOL_CALLS\]\s*([\w.-]+)\s*\[ARGS\]\s*(\{.*)", re.DOTALL)
_MARKUP = re.compile(
    r"<\s*/?\s*(tool_call|tools|function|functions|tool|arguments|invoke|parameter)\b|\[TOOL_CALLS\]|<\|python_tag\|>"
    r"|<\|(im_start|im_end|eot_id|start_header_id)\|>|```\s*json", re.IGNORECASE)
_PYTHONIC = re.compile(r"^\s*(?:<\|python_tag\|>)?\s*\[?\s*([A-Za-z_]\w*\s*\(.*\))\s*\]?\s*(?:<\|eot_id\|>)?\s*$", re.DOTALL)
_NAME_KEYS = ("name", "tool", "function", "tool_name", "function_name", "recipient_name")
_ARG_KEYS = ("arguments", "parameters", "args", "input", "params")


@dataclass
class TextCall:
    name: str
    arguments: dict[str, Any] | None
    error: str | None = None


def _objects(text: str) -> list[tuple[Any, int, int]]:
    """Every top-level JSON object or array in ``text``: (value, start, end)."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "{[":
            try:
                value, end = _DECODER.raw_decode(text, index)
            except json.JSONDecodeError:
                index += 1
                continue
            out.append((value, index, end))
            index = end
        else:
            index += 1
    return out


def _canonical(name: Any, known: dict[str, str]) -> str | None:
    if not isinstance(name, str):
        return None
    key = re.sub(r"[\s-]+", "_", name.strip().strip("`'\"").lower())
    key = key.removeprefix("functions.").removeprefix("tools.")
    return known.get(key)


def _arguments(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    if value is None:
        return {}, None
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            return None, f"the arguments are not valid JSON ({exc.msg}); send them again as one JSON object"
    if not isinstance(value, dict):
        return None, "the arguments must be a JSON object of parameter names to values"
    return value, None


def _from_value(value: Any, known: dict[str, str]) -> list[TextCall]:
    """Calls in a decoded JSON value: one call object, a list of them, or {"tool_calls": [...]}."""
    if isinstance(value, list):
        calls = []
        for item in value:
            calls += _from_value(item, known)
        return calls
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("tool_calls"), list):
        return _from_value(value["tool_calls"], known)
    if isinstance(value.get("function"), dict):  # OpenAI's own shape written as text
        return _from_value(value["function"], known)
    for key in _NAME_KEYS:
        name = _canonical(value.get(key), known)
        if name:
            raw = next((value[k] for k in _ARG_KEYS if k in value), None)
            if raw is None:  # {"name": "x", "customer": ...}: the arguments sit beside the name
                raw = {k: v for k, v in value.items() if k not in _NAME_KEYS}
            arguments, error = _arguments(raw)
            return [TextCall(name, arguments, error)]
    return []


def read_tool_calls(text: str | None, tool_names: list[str] | set[str]) -> list[TextCall]:
    """The tool calls written in ``text`` (empty when it holds none), in order."""
    if not text or not tool_names:
        return []
    known = {n.lower(): n for n in tool_names}
    for pattern in (_FUNCTION_ATTR,):
        calls = []
        for match in pattern.finditer(text):
            name = _canonical(match[1], known)
            if name:
                arguments, error = _arguments(match[3].replace("\\'", "'"))
                calls.append(TextCall(name, arguments, error))
        if calls:
            return calls
    mistral = _MISTRAL_ARGS.search(text)
    if mistral and _canonical(mistral[1], known):
        objects = _objects(mistral[2])
        arguments, error = _arguments(objects[0][0] if objects else mistral[2])
        return [TextCall(_canonical(mistral[1], known), arguments, error)]
    calls = []
    for match in _FUNCTION_BODY.finditer(text):
        name = _canonical(match[1], known)
        if name:
            objects = _objects(match[2])
            arguments, error = _arguments(objects[0][0] if objects else match[2] or None)
            calls.append(TextCall(name, arguments, error))
    if calls:
        return calls
    for match in _HERMES.finditer(text):
        for value, _s, _e in _objects(match[1]):
            calls += _from_value(value, known)
    if calls:
        return calls
    for match in _FENCE.finditer(text):
        for value, _s, _e in _objects(match[1]):
            calls += _from_value(value, known)
    if calls:
        return calls
    objects = _objects(text)
    for value, start, _end in objects:
        found = _from_value(value, known)
        if found:
            calls += found
            continue
        if isinstance(value, dict):  # "name {json}": a tool name right before the object
            before = re.search(r"([A-Za-z][\w .-]{1,60}?)[\s:(]*$", text[:start])
            name = _canonical(before[1], known) if before else None
            if name:
                arguments, error = _arguments(value)
                calls.append(TextCall(name, arguments, error))
    return calls or _pythonic(text, known)


def _pythonic(text: str, known: dict[str, str]) -> list[TextCall]:
    """Llama 3.2's pythonic list: ``[get_360(customer='Rahim'), rfm_segment(customer=3)]``."""
    match = _PYTHONIC.match(text)
    if not match:
        return []
    try:
        tree = ast.parse(f"[{match[1]}]", mode="eval")
    except SyntaxError:
        return []
    calls = []
    for node in getattr(tree.body, "elts", []):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            return []
        name = _canonical(node.func.id, known)
        if not name:
            return []
        try:
            arguments = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
        except ValueError:
            calls.append(TextCall(name, None, "the arguments must be literal values"))
            continue
        calls.append(TextCall(name, arguments))
    return calls


def looks_like_markup(text: str | None, tool_names: list[str] | set[str] = ()) -> bool:
    """True when ``text`` would show a user tool-call markup, a raw JSON object or a tool's name."""
    if not text:
        return False
    if _MARKUP.search(text):
        return True
    stripped = text.strip()
    if stripped[:1] in "{[" and _objects(stripped):
        return True
    if any(isinstance(v, dict) and len(v) >= 2 for v, _s, _e in _objects(text)):
        return True
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in tool_names if "_" in name)
