"""c360 tools package."""
