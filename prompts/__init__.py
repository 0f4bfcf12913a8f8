"""c360 prompts package."""
