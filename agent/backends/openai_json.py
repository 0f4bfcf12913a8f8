"""``openai-json``: the model answers one JSON object per step and the agent makes the tool call.

For servers whose native tool calling is unreliable (small local models behind llama.cpp or Ollama
often write the call as text). The answer is constrained with ``response_format`` JSON schema, and
still parsed tolerantly: code fences and text around the object are ignored.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from agent.backends import ModelRequest
from agent.backends.conversation import chat_messages, masked_messages, system_prompt
from agent.backends.llm_client import chat, make_openai_client
from agent.backends.tool_schemas import catalogue_line, step_schema
from agent.decisions import Decision, Reply, ToolCall, ToolCalls
from agent.privacy import Masker
from domain.settings import Settings
from prompts import render

NOT_JSON = ("your answer was not one JSON object; answer with exactly {\"tool\": ..., \"arguments\": {...}} "
            "or {\"reply\": \"...\"}")


def extract_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text``, ignoring code fences and prose around it."""
    decoder = json.JSONDecoder()
    for start, char in enumerate(text or ""):
        if char != "{":
            continue
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def as_json_history(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat history without native tool messages: calls become JSON answers, results become user turns."""
    names: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "assistant" and message.get("tool_calls"):
            for call in message["tool_calls"]:
                names[call["id"]] = call["function"]["name"]
                try:
                    arguments = json.loads(call["function"]["arguments"] or "{}")
                except json.JSONDecodeError:
                    arguments = call["function"]["arguments"]
                out.append({"role": "assistant", "content": json.dumps(
                    {"tool": call["function"]["name"], "arguments": arguments}, ensure_ascii=False)})
        elif role == "assistant":
            out.append({"role": "assistant", "content": json.dumps({"reply": message.get("content") or ""},
                                                                   ensure_ascii=False)})
        elif role == "tool":
            name = names.get(message.get("tool_call_id"), "the tool")
            out.append({"role": "user", "content": f"Result of {name}:\n{message.get('content', '')}"})
        else:
            out.append({"role": role, "content": message.get("content") or ""})
    return out


class OpenAIJsonBackend:
    name = "openai-json"

    def __init__(self, settings: Settings, *, http_client: httpx.Client | None = None):
        self.settings = settings
        self.client = make_openai_client(settings, http_client)

    def decide(self, request: ModelRequest) -> Decision:
        masker = Masker(self.settings.phone_region)
        # the catalogue lists every tool in a fixed order (a stable prefix); the step schema binds the
        # answer to the tools offered this step, with each tool's own arguments
        every = request.all_tools or request.tools
        catalogue = "\n".join(catalogue_line(t) for t in every)
        system = system_prompt(request.approval_required) + "\n\n" + render("agent_json_protocol", tools=catalogue)
        history = as_json_history(chat_messages(request, self.settings.timezone, system, self.settings.llm_tool_results))
        messages = masked_messages(history, masker)
        schema = step_schema(request.tools or every)
        if request.tool_required:  # the reply branch is dropped: the grammar admits only a tool call
            schema = {"anyOf": schema["anyOf"][:-1]} if len(schema["anyOf"]) > 1 else schema
        response_format = {"type": "json_schema", "json_schema": {"name": "c360_step", "schema": schema}}
        response = chat(self.client, self.settings, messages=messages, response_format=response_format,
                        temperature=0)
        # an unreadable answer comes back to the model once as the step's error (the graph's tool
        # message); the same unreadable answer twice ends the turn honestly (agent.replies)
        return parse_step(masker.unmask(response.choices[0].message.content or ""), masker)


def parse_step(text: str, masker: Masker | None = None) -> Decision:
    """Turn the model's JSON answer into a tool call or a reply; anything else is an error to fix."""
    value = extract_json_object(text)
    call_id = f"call_{uuid.uuid4().hex[:12]}"
    if value is None:
        return ToolCalls([ToolCall(name="", arguments=None, id=call_id, error=NOT_JSON)])
    if isinstance(value.get("tool"), str) and value["tool"]:
        arguments = value.get("arguments", {})
        if isinstance(arguments, str):  # some models double-encode the arguments
            arguments = extract_json_object(arguments)
        if not isinstance(arguments, dict):
            return ToolCalls([ToolCall(name=value["tool"], arguments=None, id=call_id,
                                       error="\"arguments\" must be a JSON object of parameter names to values")])
        if masker:
            arguments = masker.unmask_value(arguments)
        return ToolCalls([ToolCall(name=value["tool"], arguments=arguments, id=call_id)])
    if isinstance(value.get("reply"), str):
        return Reply(value["reply"])
    return ToolCalls([ToolCall(name="", arguments=None, id=call_id, error=NOT_JSON)])
