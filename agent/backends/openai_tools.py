"""``openai``: native tool calling against any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp).

Small local models often write the call into the content instead of the tool-call field; such a
reply is read as that call (``agent.backends.tool_text``), never shown. A reply that still looks
like markup gets one corrective retry, then an honest "I didn't understand the model's answer".
"""
from __future__ import annotations

import json

import httpx

from agent.backends import ModelRequest
from agent.backends.conversation import chat_messages, masked_messages, system_prompt
from agent.backends.llm_client import chat, make_openai_client
from agent.backends.tool_schemas import compact_tool
from agent.backends.tool_text import TextCall, looks_like_markup, read_tool_calls
from agent.decisions import Decision, Reply, ToolCall, ToolCalls
from agent.privacy import Masker
from domain.settings import Settings

UNREADABLE = "I didn't understand the model's answer, so I did nothing. Could you rephrase the request?"
STOP_RUNAWAY = "\n\n\n\n"
CORRECTION = ("Your last answer was neither a tool call nor an answer for the user. Call a tool through the "
              "tool-calling interface, or answer in plain words without markup or JSON.")


class OpenAIToolsBackend:
    name = "openai"

    def __init__(self, settings: Settings, *, http_client: httpx.Client | None = None):
        self.settings = settings
        self.client = make_openai_client(settings, http_client)

    def decide(self, request: ModelRequest) -> Decision:
        masker = Masker(self.settings.phone_region)
        messages = masked_messages(
            chat_messages(request, self.settings.timezone, system_prompt(request.approval_required),
                          self.settings.llm_tool_results), masker)
        tools = [compact_tool(t) for t in request.tools]
        known = set(request.known_tools) | {t["function"]["name"] for t in request.tools}
        extra = {"tools": tools, "tool_choice": "required" if request.tool_required else "auto"} if tools else {}
        # a small model that wrote its call as text often pads it with blank lines up to max_tokens
        extra["stop"] = [STOP_RUNAWAY]
        for attempt in range(2):
            response = chat(self.client, self.settings, messages=messages, temperature=0, **extra)
            message = response.choices[0].message
            content = message.content or ""
            if message.tool_calls:
                return ToolCalls([parse_call(call, masker) for call in message.tool_calls], text="")
            written = read_tool_calls(content, known)
            if written:
                return ToolCalls([as_call(c, masker) for c in written])
            if not looks_like_markup(content, known):
                return Reply(masker.unmask(content))
            messages = [*messages, {"role": "assistant", "content": content}, {"role": "user", "content": CORRECTION}]
            extra.pop("tool_choice", None)
        return Reply(UNREADABLE, kind="unreadable")


def as_call(call: TextCall, masker: Masker) -> ToolCall:
    arguments = masker.unmask_value(call.arguments) if call.arguments is not None else None
    return ToolCall(name=call.name, arguments=arguments, error=call.error)


def parse_call(call, masker: Masker) -> ToolCall:
    """A native tool call; arguments that are not a JSON object become an error the model must fix."""
    function = call.function
    raw = function.arguments or "{}"
    try:
        arguments = json.loads(raw)
    except json.JSONDecodeError as exc:
        return ToolCall(name=function.name, arguments=None, id=call.id,
                        error=f"the arguments are not valid JSON ({exc.msg} at position {exc.pos}); "
                        "send them again as one JSON object")
    if not isinstance(arguments, dict):
        return ToolCall(name=function.name, arguments=None, id=call.id,
                        error="the arguments must be a JSON object of parameter names to values")
    return ToolCall(name=function.name, arguments=masker.unmask_value(arguments), id=call.id)
