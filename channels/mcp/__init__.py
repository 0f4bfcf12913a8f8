"""c360 as an MCP server: ``c360 mcp`` (stdio) and ``/mcp`` on ``c360 serve`` (streamable HTTP)."""
