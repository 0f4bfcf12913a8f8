"""``openai``: native tool calling against any OpenAI-compatible server (OpenAI, vLLM, Ollama, ...)."""
from __future__ import annotations

import json

import httpx

from agent.backends import ModelRequest
from agent.backends.conversation import masked_messages, system_prompt
from agent.backends.llm_client import chat, make_openai_client
from agent.decisions import Decision, Reply, ToolCall, ToolCalls
from agent.privacy import Masker
from domain.settings import Settings


class OpenAIToolsBackend:
    name = "openai"

    def __init__(self, settings: Settings, *, http_client: httpx.Client | None = None):
        self.settings = settings
        self.client = make_openai_client(settings, http_client)

    def decide(self, request: ModelRequest) -> Decision:
        masker = Masker(self.settings.phone_region)
        messages = [{"role": "system", "content": system_prompt(request, self.settings.timezone)}, *request.messages]
        response = chat(
            self.client, self.settings,
            messages=masked_messages(messages, masker),
            tools=request.tools or None,
            temperature=0,
        )
        message = response.choices[0].message
        if message.tool_calls:
            return ToolCalls([parse_call(call, masker) for call in message.tool_calls],
                             text=masker.unmask(message.content or ""))
        return Reply(masker.unmask(message.content or ""))


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
