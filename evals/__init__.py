"""c360 evals package."""
