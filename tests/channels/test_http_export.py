"""``GET /customers/{id}/export``: admins get the export document; nobody else, and no model, does."""
from __future__ import annotations

import json

import pytest

from domain.db import transaction
from domain.privacy import erase_customer, export_customer
from domain.users import issue_token
from tests.factories import make_user
from tools.registry import is_offered, load_tools, offered_tools, openai_tools


@pytest.fixture
def staff(api, sessions, clock) -> dict[str, str]:
    """Tokens of an admin and a manager, next to the api's two agents."""
    with transaction(sessions) as session:
        admin = make_user(session, "Ayesha Admin", role="admin")
        manager = make_user(session, "Mina Manager", role="manager")
        tokens = {"admin": issue_token(session, admin, now=clock.now()).token,
                  "manager": issue_token(session, manager, now=clock.now()).token, "admin_id": str(admin.id)}
    api.tokens.update(tokens)
    return tokens


def test_an_admin_gets_the_same_document_as_the_cli(api, staff, sessions, clock):
    rahim = api.ids["rahim"]
    response = api.client.get(f"/customers/{rahim}/export", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    with sessions() as session:
        expected = json.loads(json.dumps(export_customer(session, rahim, now=clock.now()), ensure_ascii=False))
    assert response.json() == expected
    body = response.json()
    assert list(body)[:4] == ["format", "exported_at", "customer_id", "customer"]
    assert body["customer"]["name"] == "Rahim Uddin" and body["customer"]["phone"] == "+8801712345678"
    assert [m["name"] for m in body["family"]] == ["Sarah Uddin"]
    assert len(body["orders"]) == 2 and body["orders"][0]["items"]


@pytest.mark.parametrize("who", ["rina", "karim", "manager"])
def test_agents_and_managers_are_refused(api, staff, who):
    for customer in (api.ids["rahim"], 999_999):  # the answer does not reveal whether the id exists
        response = api.client.get(f"/customers/{customer}/export", headers=api.auth(who))
        assert response.status_code == 403, response.text
        body = response.json()
        assert body["error"] == "forbidden" and "only an admin may export" in body["detail"]


def test_no_token_unknown_id_and_bad_ids(api, staff):
    assert api.client.get(f"/customers/{api.ids['rahim']}/export").status_code == 401
    missing = api.client.get("/customers/999999/export", headers=api.auth("admin"))
    assert missing.status_code == 404 and missing.json()["detail"] == "no customer with id 999999"
    for bad in ("0", "abc", str(2**40)):
        assert api.client.get(f"/customers/{bad}/export", headers=api.auth("admin")).status_code == 422


def test_an_erased_customer_exports_what_was_kept(api, staff, sessions, clock):
    rahim = api.ids["rahim"]
    with transaction(sessions) as session:
        erase_customer(session, rahim, reason="customer request", user_id=int(staff["admin_id"]), now=clock.now())
    response = api.client.get(f"/customers/{rahim}/export", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["customer"]["name"] == f"Erased customer #{rahim}" and body["customer"]["status"] == "erased"
    assert body["customer"]["phone"] is None and body["customer"]["email"] is None
    assert [m["name"] for m in body["family"]] == ["Erased family member"]
    assert len(body["orders"]) == 2  # what the business may keep
    assert any(row["action"] == "customer_erase" for row in body["audit"])


def test_the_export_is_documented_and_never_offered_to_a_model(api):
    spec = api.client.get("/openapi.json").json()
    operation = spec["paths"]["/customers/{customer_id}/export"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("CustomerExport")
    assert "export_customer" in load_tools() and not is_offered("export_customer")
    assert "export_customer" not in offered_tools()
    assert "export_customer" not in {t["function"]["name"] for t in openai_tools()}
