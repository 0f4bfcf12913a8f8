"""Break 7: demo mode answers any Host (DNS rebinding).

Attack: a page on ``evil.example`` whose name the attacker points at 127.0.0.1 fetches
``/demo-token`` from the browser on the server's machine: the connection is loopback, the Host is
``evil.example``. Also: another site's page fetching the token cross-site.
"""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.channels.http_fixtures import make_api  # noqa: F401  (fixture)


@pytest.fixture
def demo(make_api):  # noqa: F811
    api = make_api(demo_mode=True)
    return TestClient(api.app, client=("127.0.0.1", 50000), base_url="http://127.0.0.1:8360")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8360", "127.0.0.1.evil.example", "10.0.0.5:8360",
                                  "localhost.evil.example"])
def test_a_foreign_host_gets_no_demo_token(demo, host):
    answer = demo.get("/demo-token", headers={"Host": host})
    assert answer.status_code == 403, answer.text
    assert "token" not in answer.json() or not answer.json().get("token")


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "http://evil.example"}, {"Origin": "null"}])
def test_a_cross_origin_fetch_gets_no_demo_token(demo, headers):
    assert demo.get("/demo-token", headers=headers).status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1:8360", "localhost:8360", "[::1]:8360", "localhost"])
def test_the_page_on_this_machine_still_gets_one(demo, host):
    answer = demo.get("/demo-token", headers={"Host": host, "Sec-Fetch-Site": "same-origin",
                                              "Origin": f"http://{host}"})
    assert answer.status_code == 200 and answer.json()["token"]
