"""The web chat page in headless Chromium (Debian's chromium + chromium-driver, driven by selenium):
load /, ask "who should I call today?", see the list as a table, log a call and approve it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from domain.models import Interaction
from tests.channels.http_fixtures import running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver",
)


@pytest.fixture
def browser(tmp_path, monkeypatch):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def calls_logged(api) -> int:
    with api.sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)
                              .where(Interaction.customer_id == api.ids["rahim"]))


def test_ask_for_the_call_list_and_approve_a_logged_call(make_api, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    api = make_api(demo_mode=True)
    before = calls_logged(api)
    wait = WebDriverWait(browser, 30)
    with running_server(api.app) as base:
        browser.get(base + "/")
        wait.until(ready.visibility_of_element_located((By.ID, "message")))
        assert "Demo Agent" in browser.find_element(By.ID, "who").text

        browser.find_element(By.ID, "message").send_keys("who should I call today?")
        browser.find_element(By.ID, "send").click()
        table = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=call-list]")))
        row = table.find_element(By.CSS_SELECTOR, f"tr[data-customer-id='{api.ids['rahim']}']")
        assert "Rahim Uddin" in row.text
        assert [th.text for th in table.find_elements(By.TAG_NAME, "th")][:3] == ["#", "Customer", "Score"]

        row.find_element(By.CSS_SELECTOR, "[data-testid=log-call]").click()
        box = browser.find_element(By.ID, "message")
        assert box.get_attribute("value") == f"log a call with #{api.ids['rahim']}, "
        box.send_keys("no answer")
        browser.find_element(By.ID, "send").click()
        pending = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=pending]")))
        assert "Rahim Uddin" in pending.text and "no_answer" in pending.text
        assert calls_logged(api) == before  # nothing written before the click

        pending.find_element(By.CSS_SELECTOR, "[data-testid=approve]").click()
        wait.until(lambda d: "Logged" in d.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].text)
        assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=pending]")
        browser.save_screenshot(str(tmp_path / "web-page.png"))
    assert calls_logged(api) == before + 1


def last_call(api) -> Interaction:
    with api.sessions() as session:
        return session.scalars(select(Interaction).where(Interaction.customer_id == api.ids["rahim"])
                               .order_by(Interaction.id.desc())).first()


def test_edit_a_waiting_write_before_it_is_saved_on_a_phone(make_api, browser, tmp_path):
    """At 390 px nothing is wider than the screen; Edit shows the proposal's fields and saves the change."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import Select, WebDriverWait

    api = make_api(demo_mode=True)
    before = calls_logged(api)
    browser.set_window_size(390, 844)
    wait = WebDriverWait(browser, 30)
    with running_server(api.app) as base:
        browser.get(base + "/")
        wait.until(ready.visibility_of_element_located((By.ID, "message")))
        browser.find_element(By.ID, "message").send_keys("who should I call today?")
        browser.find_element(By.ID, "send").click()
        wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=call-list]")))
        page_width = browser.execute_script("return document.documentElement.scrollWidth")
        screen_width = browser.execute_script("return window.innerWidth")
        assert page_width <= screen_width, f"the page is {page_width} px wide on a {screen_width} px screen"

        box = browser.find_element(By.ID, "message")
        box.send_keys(f"log a call with #{api.ids['rahim']}, no answer")
        browser.find_element(By.ID, "send").click()
        pending = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=pending]")))
        form = pending.find_element(By.CSS_SELECTOR, "[data-testid=edit-form]")
        bubble = browser.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].text
        assert bubble.count("outcome: no_answer") == 1, bubble  # the summary once, in the box
        browser.save_screenshot(str(tmp_path / "web-page-pending.png"))
        assert not form.is_displayed()
        pending.find_element(By.CSS_SELECTOR, "[data-testid=edit]").click()
        assert form.is_displayed()
        outcome = Select(form.find_element(By.NAME, "outcome"))
        assert outcome.first_selected_option.get_attribute("value") == "no_answer"  # what was proposed
        outcome.select_by_value("callback")
        notes = form.find_element(By.NAME, "notes")
        notes.clear()
        notes.send_keys("busy, call again in the evening")
        assert calls_logged(api) == before  # nothing written before the save
        pending.find_element(By.CSS_SELECTOR, "[data-testid=edit]").click()  # now "Save changes"
        wait.until(lambda d: "Logged" in d.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].text)
        assert browser.execute_script("return document.documentElement.scrollWidth") <= screen_width
        browser.save_screenshot(str(tmp_path / "web-page-phone.png"))
    assert calls_logged(api) == before + 1
    call = last_call(api)
    assert (call.outcome, call.notes) == ("callback", "busy, call again in the evening")
