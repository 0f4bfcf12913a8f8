"""Break 6: U+0000 and other control characters.

Attack: a chat message with NUL (a 500 on PostgreSQL, whose checkpointer writes jsonb, and the
pending write in that thread silently cancelled); a tool argument with NUL; both engines must
behave the same and never lose the pending write.
"""
from __future__ import annotations

from sqlalchemy import select

from domain.models import Interaction
from tests.channels.http_fixtures import make_api  # noqa: F401  (fixture)


def notes_of(api) -> list[str]:
    with api.sessions() as session:
        return list(session.scalars(select(Interaction.notes).where(Interaction.customer_id == api.ids["rahim"],
                                                                    Interaction.outcome == "no_answer")))


def test_nul_in_chat_is_stripped_and_the_pending_write_survives(make_api):  # noqa: F811
    api = make_api()
    chat = lambda message, thread=None: api.client.post(  # noqa: E731
        "/chat", json={"message": message, "thread_id": thread}, headers=api.auth())
    turn = chat("log a call with Rahim Uddin, no answer, asked about the kettle\x00\x07")
    assert turn.status_code == 200, turn.text
    body = turn.json()
    assert body["pending"] and "\x00" not in str(body["pending"])
    thread = body["thread_id"]
    nothing = chat("\x00\x00", thread)  # only control characters: nothing said
    assert nothing.status_code == 200 and nothing.json()["pending"] is not None
    approve = chat("yes\x00", thread)
    assert approve.status_code == 200, approve.text
    assert approve.json()["pending"] is None
    [written] = notes_of(api)
    assert "\x00" not in written and "\x07" not in written
    again = chat("show me Rahim Uddin\x00", thread)
    assert again.status_code == 200 and again.json()["cards"]


def test_nul_in_a_tool_argument_is_stripped(make_api):  # noqa: F811
    from tools.registry import validate_args

    args = validate_args("log_interaction", {"customer": "Rahim\x00 Uddin", "type": "call",
                                             "notes": "no\x00 answer\x1b[2J"})
    assert args.customer == "Rahim Uddin" and args.notes == "no answer[2J"
