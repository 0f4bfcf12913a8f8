"""Notes, tags and consent over HTTP: thin calls of the chat's tools, the request being the approval."""
from __future__ import annotations

from sqlalchemy import func, select

from domain.models import AuditLog, ConsentEvent, Note


def post(api, path, body, who="rina", **headers):
    return api.client.post(path, json=body, headers={**api.auth(who), **headers})


def get(api, path, who="rina", **params):
    return api.client.get(path, params=params, headers=api.auth(who))


def rows(api, model) -> int:
    with api.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_post_and_list_notes(api):
    rahim = api.ids["rahim"]
    made = post(api, f"/customers/{rahim}/notes", {"text": "Prefers bKash", "pinned": True})
    assert made.status_code == 201, made.text
    assert made.json()["note"]["author"] == "Rina Akter" and made.json()["note"]["pinned"] is True
    assert post(api, "/customers/rahim uddin/notes", {"text": "Call after 6 pm", "type": "reminder"}).status_code == 201
    listed = get(api, f"/customers/{rahim}/notes").json()
    assert [(n["text"], n["type"], n["author"]) for n in listed["notes"]] == [
        ("Call after 6 pm", "reminder", "Rina Akter"), ("Prefers bKash", "internal", "Rina Akter")]
    assert [n["text"] for n in get(api, f"/customers/{rahim}/notes", pinned=True).json()["notes"]] == ["Prefers bKash"]
    with api.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "add_note")) == 2


def test_a_retried_post_with_the_same_idempotency_key_writes_once(api):
    rahim = api.ids["rahim"]
    first = post(api, f"/customers/{rahim}/notes", {"text": "once"}, **{"Idempotency-Key": "abc-1"})
    second = post(api, f"/customers/{rahim}/notes", {"text": "once"}, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == second.status_code == 201
    assert second.json()["replayed"] is True and second.json()["note"]["id"] == first.json()["note"]["id"]
    assert rows(api, Note) == 1
    other = post(api, f"/customers/{rahim}/notes", {"text": "different"}, **{"Idempotency-Key": "abc-1"})
    assert other.status_code == 409 and other.json()["error"] == "conflict" and rows(api, Note) == 1


def test_bad_notes_are_refused_naming_the_field(api):
    rahim = api.ids["rahim"]
    too_long = post(api, f"/customers/{rahim}/notes", {"text": "x" * 4001})
    assert too_long.status_code == 422 and "4,000" in too_long.json()["detail"]
    wrong_type = post(api, f"/customers/{rahim}/notes", {"text": "x", "type": "gossip"})
    assert wrong_type.status_code == 422 and wrong_type.json()["errors"][0]["field"] == "type"
    assert post(api, "/customers/999999/notes", {"text": "x"}).status_code == 404
    assert post(api, "/customers/Rahim/notes", {"text": "x"}).status_code == 409  # two Rahims
    assert rows(api, Note) == 0


def test_tags(api):
    rahim = api.ids["rahim"]
    answer = post(api, f"/customers/{rahim}/tags", {"add": ["Eid Shopper", "vip"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["tags"] == ["eid-shopper", "vip"]
    again = post(api, f"/customers/{rahim}/tags", {"add": ["vip"], "remove": ["eid-shopper", "nope"]}).json()
    assert (again["already_present"], again["removed"], again["not_present"]) == (["vip"], ["eid-shopper"], ["nope"])
    assert get(api, f"/customers/{rahim}/360").json()["tags"] == ["vip"]
    bad = post(api, f"/customers/{rahim}/tags", {"add": ["x" * 51]})
    assert bad.status_code == 422 and "50" in bad.json()["detail"]


def test_consent_state_and_log(api):
    rahim = api.ids["rahim"]
    before = get(api, f"/customers/{rahim}/consent").json()
    assert {c["channel"]: c["opted_in"] for c in before["channels"]} == dict.fromkeys(
        ["whatsapp", "sms", "email", "instagram", "facebook"])
    changed = post(api, f"/customers/{rahim}/consent", {"channel": "sms", "opted_in": False,
                                                        "reason": "asked on the phone", "source": "customer_request"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["changes"] == [{"channel": "sms", "before": None, "after": False, "changed": True}]
    now = get(api, f"/customers/{rahim}/consent").json()
    sms = next(c for c in now["channels"] if c["channel"] == "sms")
    assert (sms["opted_in"], sms["reason"], sms["changed_by"], sms["source"]) == (
        False, "asked on the phone", "Rina Akter", "customer_request")
    assert [(e["channel"], e["opted_in"], e["user"]) for e in now["log"]] == [("sms", False, "Rina Akter")]
    assert post(api, f"/customers/{rahim}/consent", {"channel": "telegram", "opted_in": False}).status_code == 422
    assert rows(api, ConsentEvent) == 1


def test_an_agent_limited_to_own_customers_may_opt_out_but_not_note_anothers(make_api):
    api = make_api(agents_see_all_customers=False)
    rahim = api.ids["rahim"]  # Rina's customer
    assert post(api, f"/customers/{rahim}/notes", {"text": "x"}, who="karim").status_code == 403
    assert post(api, f"/customers/{rahim}/consent", {"channel": "email", "opted_in": False}, who="karim").status_code == 200
    assert post(api, f"/customers/{rahim}/consent", {"channel": "email", "opted_in": True}, who="karim").status_code == 403


def test_without_a_token_nothing_is_written(api):
    assert api.client.post(f"/customers/{api.ids['rahim']}/notes", json={"text": "x"}).status_code == 401
    assert rows(api, Note) == 0
