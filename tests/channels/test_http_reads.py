"""GET /customers/{id}/360, /customers/{id}/timeline, /call-list, /rfm, /healthz, /me and the OpenAPI page."""
from __future__ import annotations

import pytest

from tests.channels.http_fixtures import RAHIM_PHONE


def get(api, path: str, who: str = "rina", **params):
    return api.client.get(path, params=params, headers=api.auth(who))


def test_360_by_id_phone_and_name(api):
    by_id = get(api, f"/customers/{api.ids['rahim']}/360")
    assert by_id.status_code == 200, by_id.text
    body = by_id.json()
    assert body["profile"]["name"] == "Rahim Uddin"
    assert body["metrics"]["order_count"] == 2
    assert body["metrics"]["lifetime_value"] == 9000
    assert [f["name"] for f in body["family"]] == ["Sarah Uddin"]
    assert body["rfm"]["segment"]
    assert get(api, f"/customers/{RAHIM_PHONE}/360").json()["profile"]["id"] == api.ids["rahim"]
    assert get(api, "/customers/rahim uddin/360").json()["profile"]["id"] == api.ids["rahim"]


def test_360_masks_contacts_of_another_agents_customer(make_api):
    api = make_api(agents_see_all_customers=False)
    mine = get(api, f"/customers/{api.ids['rahim']}/360").json()
    assert mine["profile"]["phone"] == "+8801712345678" and mine["redacted"] == []
    other = get(api, f"/customers/{api.ids['rahim']}/360", who="karim")
    assert other.status_code == 200
    assert other.json()["profile"]["phone"] != "+8801712345678"
    assert "masked" in other.json()["redacted"][0]


@pytest.mark.parametrize("ref, status, error", [("999999", 404, "not_found"), ("Nobody Atall", 404, "not_found")])
def test_360_unknown_customer_is_404(api, ref, status, error):
    response = get(api, f"/customers/{ref}/360")
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["detail"]


def test_ambiguous_reference_is_409_with_candidates(api):
    response = get(api, "/customers/Rahim/360")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "ambiguous"
    assert {c["id"] for c in body["candidates"]} == {api.ids["rahim"], api.ids["namesake"]}


def test_timeline_filters_and_pages(api):
    rahim = api.ids["rahim"]
    everything = get(api, f"/customers/{rahim}/timeline")
    assert everything.status_code == 200, everything.text
    items = everything.json()["items"]
    assert {i["type"] for i in items} >= {"order", "interaction"}
    assert [i["occurred_at"] for i in items] == sorted((i["occurred_at"] for i in items), reverse=True)

    orders = get(api, f"/customers/{rahim}/timeline", type="order").json()
    assert [i["type"] for i in orders["items"]] == ["order", "order"]
    october = get(api, f"/customers/{rahim}/timeline", type="order", **{"from": "2026-09-01", "to": "2026-10-31"})
    assert [i["occurred_at"][:10] for i in october.json()["items"]] == ["2026-10-01"]

    first = get(api, f"/customers/{rahim}/timeline", type="order", limit=1).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = get(api, f"/customers/{rahim}/timeline", type="order", limit=1, cursor=first["next_cursor"]).json()
    assert second["items"][0]["occurred_at"] < first["items"][0]["occurred_at"]


@pytest.mark.parametrize("params, words", [
    ({"type": "weather"}, "weather"),
    ({"limit": 0}, "limit"),
    ({"limit": 1000}, "limit"),
    ({"from": "yesterday"}, "from"),
    ({"cursor": "garbage"}, "cursor"),
])
def test_timeline_bad_parameters_are_4xx(api, params, words):
    response = get(api, f"/customers/{api.ids['rahim']}/timeline", **params)
    assert 400 <= response.status_code < 500, response.text
    assert words in response.text


def test_call_list_with_filters(api):
    response = get(api, "/call-list")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"] == "2026-11-20"
    assert body["entries"][0]["name"] == "Rahim Uddin"
    assert body["entries"][0]["best_call_time"]["window"]
    mine = get(api, "/call-list", who="karim", mine="true").json()
    assert {e["name"] for e in mine["entries"]} <= {"Karim Ahmed"}
    assert get(api, "/call-list", limit=1).json()["entries"].__len__() == 1
    tomorrow = get(api, "/call-list", date="2026-11-21")
    assert tomorrow.json()["date"] == "2026-11-21"
    hot = get(api, "/call-list", temperature="HOT")
    assert hot.status_code == 200
    assert all(e["temperature"] == "hot" for e in hot.json()["entries"])
    sylhet = get(api, "/call-list", city="sylhet")
    assert sylhet.status_code == 200, sylhet.text
    assert [e["name"] for e in sylhet.json()["entries"]] == ["Rahim Khan"]


@pytest.mark.parametrize("params, status, words", [
    ({"date": "2020-01-01"}, 422, "in the past"),
    ({"date": "someday"}, 422, "date"),
    ({"temperature": "lukewarm"}, 422, "lukewarm"),
    ({"lifecycle_stage": "vip"}, 422, "vip"),
    ({"limit": -1}, 422, "limit"),
])
def test_call_list_bad_parameters(api, params, status, words):
    response = get(api, "/call-list", **params)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


def test_call_list_explain_and_dashboard(api):
    why = get(api, f"/call-list/explain/{api.ids['rahim']}")
    assert why.status_code == 200, why.text
    body = why.json()
    assert body["on_list"] and body["rank"] == 1 and body["factors"]
    karim = get(api, "/call-list/explain/Karim Ahmed", who="rina", mine="true").json()
    assert karim["rule"] in ("assigned_elsewhere", "on_list", "below_cut")
    assert get(api, "/call-list/explain/Nobody Known").status_code == 404
    dash = get(api, "/dashboard")
    assert dash.status_code == 200, dash.text
    numbers = dash.json()
    assert numbers["customers"] == sum(numbers["by_temperature"].values())
    assert {"contacts_logged", "follow_ups_due", "value_recovered"} <= set(numbers["totals"])
    assert get(api, "/dashboard", since="2026-11-30", until="2026-11-20").status_code == 422


def test_rfm_distribution_segment_and_customer(api):
    dist = get(api, "/rfm").json()
    assert dist["with_purchase"] == 2
    assert sum(s["count"] for s in dist["distribution"]) == 2
    rahim = get(api, "/rfm", customer="Rahim Uddin").json()
    assert rahim["customer"]["customer_id"] == api.ids["rahim"]
    segment = rahim["customer"]["segment"]
    members = get(api, "/rfm", segment=segment.lower()).json()
    assert api.ids["rahim"] in [m["customer_id"] for m in members["members"]]
    bad = get(api, "/rfm", segment="Superstars")
    assert bad.status_code == 422
    assert "Champions" in bad.json()["detail"]


def test_every_read_endpoint_needs_a_valid_token(api):
    paths = [f"/customers/{api.ids['rahim']}/360", f"/customers/{api.ids['rahim']}/timeline", "/call-list",
             "/rfm", "/me", "/dashboard", f"/call-list/explain/{api.ids['rahim']}"]
    for path in paths:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            response = api.client.get(path, headers=headers)
            assert response.status_code == 401, path
            assert set(response.json()) >= {"detail"} and "Rahim" not in response.text


def test_me_and_healthz(api):
    assert get(api, "/me").json() == {"id": api.ids["rina"], "name": "Rina Akter", "role": "agent"}
    health = api.client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["up_to_date"] is True
    assert body["database"]["revision"] == body["database"]["head"]
    assert body["database"]["backend"] in ("sqlite", "postgresql")
    assert body["model_backend"] == "offline"
    assert body["slack"] is False and body["demo_mode"] is False


def test_openapi_documents_every_request_and_response_model(api):
    schema = api.client.get("/openapi.json").json()
    names = set(schema["components"]["schemas"])
    assert {"ChatRequest", "ChatResponse", "DecisionRequest", "PendingWrite", "Card", "ToolCallOut",
            "ErrorResponse", "Get360Result", "TimelinePage", "CallPriorityListResult", "RfmSegmentResult",
            "Health"} <= names
    paths = schema["paths"]
    for path, method in [("/chat", "post"), ("/chat/{thread_id}/decision", "post"), ("/chat/stream", "post"),
                         ("/customers/{customer}/360", "get"), ("/customers/{customer}/timeline", "get"),
                         ("/call-list", "get"), ("/rfm", "get"), ("/healthz", "get")]:
        operation = paths[path][method]
        assert "200" in operation["responses"], path
        if path != "/healthz":
            assert "401" in operation["responses"], path
    assert "text/event-stream" in paths["/chat/stream"]["post"]["responses"]["200"]["content"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert api.client.get("/docs").status_code == 200
