"""The c360 agent: a LangGraph graph over the tools, any OpenAI-compatible model or none.

Channels use ``agent.runner.Agent`` (``run_turn``, ``resume``, ``stream_turn``). The graph is in
``agent.graph``, its state in ``agent.state``, the model backends in ``agent.backends``, grounded
LLM text in ``agent.text``, the offline model in ``agent.offline``.
"""
