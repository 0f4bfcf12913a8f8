"""c360's business core: models, rules and queries. Imports nothing from tools/, agent/ or channels/."""
