"""c360 agent package."""
