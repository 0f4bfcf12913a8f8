"""The tool registry: contract names and parameters, generated schemas, errors instead of exceptions."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from tools.registry import (
    REGISTRY,
    call_tool,
    inline_refs,
    is_write,
    load_tools,
    openai_tools,
    tool,
    validate_args,
)
from tools.results import ToolError, ToolResult

# CONTRACT.md section 1: name -> (kind, all parameters, required parameters)
CONTRACT = {
    "log_interaction": (
        "write",
        {
            "customer",
            "type",
            "notes",
            "direction",
            "outcome",
            "duration_seconds",
            "follow_up_at",
            "products",
            "occurred_at",
        },
        {"customer", "type", "notes"},
    ),
    "add_family_member": (
        "write",
        {
            "customer",
            "name",
            "relationship",
            "date_of_birth",
            "anniversary_date",
            "phone",
            "email",
            "gender",
            "profession",
        },
        {"customer", "name", "relationship"},
    ),
    "mark_dropoff_recovered": ("write", {"customer", "dropoff_id", "note"}, set()),
    "set_follow_up": ("write", {"customer", "at", "note"}, {"customer"}),
    "find_customers": ("read", {"query", "limit"}, {"query"}),
}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_tools_match_the_contract(name):
    kind, params, required = CONTRACT[name]
    spec = load_tools()[name]
    schema = spec.openai_schema()["function"]
    assert spec.kind == kind and is_write(name) is (kind == "write")
    assert set(schema["parameters"]["properties"]) == params
    assert set(schema["parameters"].get("required", [])) == required
    assert schema["description"] == spec.description and len(schema["description"]) > 80
    assert all(p.get("description") for p in schema["parameters"]["properties"].values())


def test_schemas_are_plain_json_without_refs():
    tools = openai_tools()
    assert {t["function"]["name"] for t in tools} >= set(CONTRACT)
    text = json.dumps(tools)
    assert "$ref" not in text and "$defs" not in text
    kinds = next(t for t in tools if t["function"]["name"] == "log_interaction")["function"][
        "parameters"
    ]
    assert kinds["properties"]["type"]["enum"] == [
        "call",
        "whatsapp",
        "sms",
        "email",
        "meeting",
        "facebook",
        "instagram",
        "in_person",
    ]
    assert kinds["properties"]["direction"]["default"] == "outbound"


def test_inline_refs_keeps_the_fields_own_description():
    schema = {
        "$defs": {"E": {"enum": ["a"], "type": "string", "title": "E"}},
        "properties": {"x": {"$ref": "#/$defs/E", "description": "an x"}},
    }
    assert inline_refs(schema) == {
        "properties": {"x": {"enum": ["a"], "type": "string", "description": "an x"}}
    }


def test_validate_args_says_which_argument_is_wrong():
    error = validate_args("log_interaction", {"customer": "rahim", "type": "fax"})
    assert isinstance(error, ToolError) and error.error == "invalid" and error.field == "type"
    assert "notes: Field required" in error.message
    unknown = validate_args("delete_everything", {})
    assert unknown.error == "unknown_tool" and "log_interaction" in unknown.message


class Nothing(BaseModel):
    pass


def test_read_tools_that_crash_return_an_internal_error(make_ctx):
    @tool("read", name="test_crash")
    def test_crash(ctx, session, args: Nothing) -> ToolResult:
        raise ZeroDivisionError("oops")

    try:
        result = call_tool("test_crash", {}, make_ctx())
        assert isinstance(result, ToolError) and result.error == "internal"
    finally:
        REGISTRY.pop("test_crash", None)


def test_registering_a_name_twice_or_without_an_args_model_fails():
    def twice(ctx, session, args: Nothing) -> ToolResult:
        return ToolResult()

    with pytest.raises(ValueError):
        tool("read", name="log_interaction")(twice)

    def no_model(ctx, session, args: dict) -> ToolResult:
        return ToolResult()

    with pytest.raises(TypeError):
        tool("read")(no_model)
