"""Imports every tool module, which registers its tools in ``tools.registry.REGISTRY``."""
import importlib

TOOL_MODULES: list[str] = [
    "tools.find_customers",
    "tools.log_interaction",
    "tools.add_family_member",
    "tools.mark_dropoff_recovered",
    "tools.set_follow_up",
    "tools.update_consent",
    "tools.add_note",
    "tools.tag_customer",
    "tools.update_opportunity",
    "tools.draft_reply",
    "tools.get_360",
    "tools.call_priority_list",
    "tools.explain_call_priority",
    "tools.dashboard",
    "tools.rfm_segment",
    "tools.saved_segment",
    "tools.upcoming_events",
    "tools.export_customer",  # channel-only (offered=False): never shown to a model
    "tools.customer_records",  # channel-only reads: list_notes, consent_status
]

for _module in TOOL_MODULES:
    importlib.import_module(_module)
