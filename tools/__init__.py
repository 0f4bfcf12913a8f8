"""The deterministic tools the agent calls: typed, authorized, audited, exactly-once for writes.

Run one with ``tools.registry.call_tool(name, args, ctx)``; list them with ``load_tools()``.
"""
