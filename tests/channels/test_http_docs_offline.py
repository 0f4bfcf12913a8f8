"""/docs and /redoc work on a machine without internet: every script, style and icon comes from c360
itself (fastapi-offline's files), and the Swagger UI renders in a browser that can reach no other host."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.channels.http_fixtures import running_server

# the docs pages never touch the database: one backend is enough
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

_REFERENCE = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*['"]([^'"]+)['"]""")


def references(html: str) -> list[str]:
    return [a or b for a, b in _REFERENCE.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_no_external_host_and_their_assets_are_served(api, page):
    response = api.client.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.I), "the page names another host"
    found = references(html)
    assert "/openapi.json" in found
    scripts = [ref for ref in found if ref.endswith(".js")]
    assert scripts, f"no script on {page}: {found}"
    for ref in found:
        asset = api.client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 1000 or ref.endswith(".json"), ref
    for script in scripts:  # the real bundles, not an empty placeholder
        assert len(api.client.get(script).content) > 500_000


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                    reason="needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
def test_swagger_ui_renders_the_api_in_a_browser_that_can_reach_no_other_host(api, tmp_path, monkeypatch):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # every host name but loopback fails to resolve: what a machine without internet sees
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        with running_server(api.app) as base:
            driver.get(base + "/docs")
            WebDriverWait(driver, 30).until(
                ready.visibility_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))
            paths = {el.text.replace("\u200b", "") for el in
                     driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
            assert "/chat" in paths
            assert "c360" in driver.find_element(By.CSS_SELECTOR, ".info .title").text
            loaded = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name)")
    finally:
        driver.quit()
    assert loaded and all(url.startswith(base) for url in loaded), loaded
