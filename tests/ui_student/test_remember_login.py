"""The student stays signed in across reloads: the token is kept in the browser (gr.BrowserState).

Headless chromium, like test_browser.py. On every page load the app sends the stored value
(decrypted by the page) to its load event; the tests read it from that request to see what
the browser keeps, and to revoke the browser's token through the API with another client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.harness import Stack
from tests.ui.browser import browser_page, screenshot
from tests.ui_student.conftest import STORAGE_SECRET, Course, Student
from tests.ui_student.test_browser import field, log_in
from ui_student.views.auth import SESSION_ENDED, STORAGE_KEY


def stored_on_load(page: Page, load: Callable[[], Any]) -> dict[str, Any]:
    """What the browser remembered, as the page sends it to the app's load event during `load()`."""
    with page.expect_request(
        lambda r: r.method == "POST" and "/queue/join" in r.url and '"course_id"' in (r.post_data or "")
    ) as request:
        load()
    body = json.loads(request.value.post_data or "{}")
    return next(d for d in body["data"] if isinstance(d, dict) and "token" in d)


def stored_changes(page: Page, before: str | None) -> None:
    """Wait until the page has rewritten its localStorage entry (each write is freshly encrypted)."""
    page.wait_for_function("([key, before]) => localStorage.getItem(key) !== before", arg=[STORAGE_KEY, before])


def local_storage(page: Page) -> str | None:
    value = page.evaluate("key => localStorage.getItem(key)", STORAGE_KEY)
    return value if isinstance(value, str) else None


def signed_out(page: Page) -> None:
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.locator("#main-panel")).to_be_hidden()
    expect(page.locator("#logout-button")).to_be_hidden()


def test_the_storage_key_and_secret_come_from_the_settings(student_ui: str) -> None:
    config = httpx.get(f"{student_ui}/config", timeout=30).json()
    stores = [c["props"] for c in config["components"] if c.get("type") == "browserstate"]
    assert len(stores) == 1
    assert stores[0]["storage_key"] == STORAGE_KEY and stores[0]["secret"] == STORAGE_SECRET
    assert stores[0]["default_value"] == {"token": "", "course_id": "", "lesson_id": ""}


def test_a_reload_keeps_the_student_signed_in_until_logout(
    stack: Stack, student_ui: str, course: Course, student: Student
) -> None:
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        page.goto(student_ui)
        before = local_storage(page)
        log_in(page, student_ui, student)
        stored_changes(page, before)
        before = local_storage(page)
        page.locator(field(page, "join-code")).first.fill(course.code)
        page.locator("#join-button").click()
        expect(page.locator("#course-header")).to_contain_text(course.title)
        stored_changes(page, before)  # opening the course remembers it too

        kept = stored_on_load(page, page.reload)
        assert kept["token"] and kept["course_id"] == course.id and kept["lesson_id"]
        assert student.password not in json.dumps(kept) and student.password not in (local_storage(page) or "")
        expect(page.locator("#user-line")).to_contain_text(student.email)
        expect(page.get_by_role("button", name="Log in")).to_be_hidden()
        expect(page.locator("#course-header")).to_contain_text(course.title)  # the open course comes back
        expect(page.locator("#outline")).to_contain_text("Module 1")
        expect(page.locator(f"#outline button[data-lesson='{kept['lesson_id']}']")).to_have_class(re.compile("current"))
        expect(page.locator("#course-picker input").first).to_have_value(course.title)
        screenshot(page, "student-remembered")

        tab = page.context.new_page()  # a new tab shares the browser's storage
        tab.goto(student_ui)
        expect(tab.locator("#user-line")).to_contain_text(student.email)
        tab.close()

        before = local_storage(page)
        page.locator("#logout-button").click()
        expect(page.locator("#login-status")).to_contain_text("logged out")
        stored_changes(page, before)
        assert stored_on_load(page, page.reload) == {"token": "", "course_id": "", "lesson_id": ""}
        signed_out(page)
        expect(page.locator("#user-line")).not_to_contain_text(student.email)
        # The token the browser had is revoked at the API too.
        gone = httpx.get(f"{stack.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {kept['token']}"})
        assert gone.status_code == 401


def test_a_revoked_token_leads_to_the_login_form_with_a_note(stack: Stack, student_ui: str, student: Student) -> None:
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        page.goto(student_ui)
        before = local_storage(page)
        log_in(page, student_ui, student)
        stored_changes(page, before)
        token = stored_on_load(page, page.reload)["token"]
        expect(page.locator("#user-line")).to_contain_text(student.email)

        with httpx.Client(base_url=stack.url, timeout=30) as other:  # e.g. "log out everywhere" elsewhere
            assert other.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204

        page.reload()
        expect(page.locator("#login-status")).to_have_text(SESSION_ENDED)
        signed_out(page)
        expect(page.locator("#user-line")).not_to_contain_text(student.email)
        expect(page.locator("body")).not_to_contain_text("Traceback")
        screenshot(page, "student-session-ended")

        forgotten = {"token": "", "course_id": "", "lesson_id": ""}
        assert stored_on_load(page, page.reload) == forgotten  # the dead token is forgotten
        log_in(page, student_ui, student)  # and the password works as before
