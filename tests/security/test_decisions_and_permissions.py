"""Break 14: an approval retried after its write committed answered 409 "nothing is waiting" (the
client cannot tell written from not written); a confirmation was shown for a write the user may
not make."""
from __future__ import annotations

from sqlalchemy import func, select

from domain.models import Interaction
from tests.channels.http_fixtures import make_api  # noqa: F401  (fixture)


def logged(api) -> int:
    with api.sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)
                              .where(Interaction.customer_id == api.ids["rahim"]))


def test_a_retried_approval_answers_the_committed_result(make_api):  # noqa: F811
    api = make_api()
    before = logged(api)
    turn = api.client.post("/chat", json={"message": "log a call with Rahim Uddin, no answer"},
                           headers=api.auth()).json()
    assert turn["pending"]["tool"] == "log_interaction"
    url = f"/chat/{turn['thread_id']}/decision"
    first = api.client.post(url, json={"decision": "approve"}, headers=api.auth())
    retry = api.client.post(url, json={"decision": "approve"}, headers=api.auth())
    assert first.status_code == retry.status_code == 200, retry.text
    assert retry.json()["cards"] == first.json()["cards"] and retry.json()["pending"] is None
    assert logged(api) == before + 1  # written once


def test_no_confirmation_for_a_write_the_user_may_not_make(make_api):  # noqa: F811
    api = make_api(agents_see_all_customers=False)
    before = logged(api)
    # Karim is an agent; Rahim is assigned to Rina
    turn = api.client.post("/chat", json={"message": "log a call with Rahim Uddin, no answer"},
                           headers=api.auth("karim"))
    assert turn.status_code == 200
    body = turn.json()
    assert body["pending"] is None, "a confirmation was offered for a forbidden write"
    assert "assigned to another agent" in body["reply"]
    assert logged(api) == before
