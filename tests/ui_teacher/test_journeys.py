"""Teacher journeys in headless chromium, each error provoked first, then the journey completed.

Remembered login and deep links (issue 21), hostile text shown as text (issue 19.7), uploads
refused next to the uploader with the API's own limits, messages that clear when they stop holding.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
from cryptography.fernet import Fernet
from playwright._impl._api_structures import SetCookieParam
from playwright.sync_api import Page, expect

from tests.fixtures_path import FIXTURES
from tests.harness import PASSWORD, Stack, upload, wait_job
from tests.ui.browser import browser_page, screenshot
from tests.ui_teacher.conftest import STORAGE_SECRET, AppFactory, Teacher, new_course
from tests.ui_teacher.test_browser import settle

PAGES = [("", "My courses"), ("materials", "Materials"), ("outline", "Course"), ("lesson", "Lesson")]
PAGES += [("quizzes", "Quizzes"), ("analytics", "Analytics"), ("api_keys", "API keys")]
TRAP = "127.0.0.1:9"  # nothing listens there: a request to it would be a remote image loading
HOSTILE_TITLE = (
    '<img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=2) '
    f"![t](http://{TRAP}/t.png) :red[red] **b**"
)
HOSTILE_BODY = (
    "A **bold** claim and a [safe link](https://example.org).\n\n"
    f"![a cat](http://{TRAP}/cat.png) and [run me](javascript:window.__pwned=3)\n\n"
    '<script>window.__pwned=4</script><img src=y onerror="window.__pwned=5">\n'
)


def login_form(page: Page) -> None:
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_login_errors_then_remembered_login_and_deep_links(console: str, stack: Stack) -> None:
    email, api = stack.user("teacher")
    new_course(api, "Another course")
    new_course(api, "Deep links")
    # Not the course the picker would choose anyway: the URL must be what chooses it.
    course = api.get("/api/v1/courses").json()[-1]
    with browser_page() as page:
        page.goto(f"{console}/materials")  # a deep link, signed out: the login form, at that URL
        login_form(page)
        page.get_by_role("button", name="Log in").click()
        form = page.locator('[data-testid="stForm"]')
        expect(form.get_by_text("Enter your email and password.")).to_be_visible()
        page.get_by_role("textbox", name="Email").fill(email)
        page.get_by_role("textbox", name="Password").fill("not-the-password-42")
        page.get_by_role("button", name="Log in").click()
        expect(form.get_by_text(re.compile("Could not log in: .+"))).to_be_visible()  # inside the form
        settle(page)
        screenshot(page, "teacher-login-error")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Materials")).to_be_visible()
        assert page.url.startswith(f"{console}/materials"), page.url
        settle(page)

        page.reload()  # remembered: still signed in, still on Materials
        expect(page.get_by_role("heading", name="Materials")).to_be_visible()
        expect(page.get_by_role("button", name="Log in")).to_have_count(0)
        page.goto(f"{console}/outline?course={course['id']}")
        expect(page.get_by_role("heading", name="Course")).to_be_visible()
        page.reload()
        expect(page.get_by_role("heading", name="Course")).to_be_visible()
        picker = page.get_by_role("combobox", name="Course")
        expect(picker).to_have_value(course["title"])  # the course the URL names
        assert f"course={course['id']}" in page.url
        for path, heading in PAGES:
            page.goto(f"{console}/{path}")
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            expect(page.get_by_text("Page not found")).to_have_count(0)
        settle(page)

        page.get_by_role("button", name="Log out").click()
        login_form(page)
        settle(page)
        page.reload()  # logged out for good: the browser forgot the login
        login_form(page)
        page.goto(f"{console}/analytics")
        login_form(page)


def test_a_revoked_or_tampered_remembered_login_asks_to_log_in(console: str, stack: Stack) -> None:
    email, _ = stack.user("teacher")
    with browser_page() as page:
        page.goto(console)
        page.get_by_role("textbox", name="Email").fill(email)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="My courses")).to_be_visible()
        settle(page)
        cookie = next(c for c in page.context.cookies() if c["name"] == "profai_teacher")
        assert cookie["sameSite"] == "Strict"
        # Sealed with UI_TEACHER_STORAGE_SECRET: the token inside works at the API until revoked.
        token = sealed_token(cookie["value"])
        me = httpx.get(f"{stack.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["email"] == email
        real: SetCookieParam = {"name": cookie["name"], "value": cookie["value"], "url": console}
        page.context.add_cookies([{**real, "value": cookie["value"][:-8] + "AAAAAAAA"}])  # tampered
        page.reload()
        login_form(page)
        page.context.add_cookies([real])  # the real one again: signed in
        page.reload()
        expect(page.get_by_role("heading", name="My courses")).to_be_visible()
        httpx.post(f"{stack.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
        page.reload()  # revoked elsewhere: asked to log in, and the browser forgets it
        login_form(page)
        settle(page)
        assert not [c for c in page.context.cookies() if c["name"] == "profai_teacher"]


def sealed_token(value: str) -> str:
    key = base64.urlsafe_b64encode(hashlib.sha256(STORAGE_SECRET.encode()).digest())
    return str(json.loads(Fernet(key).decrypt(value.encode()))["token"])


def test_hostile_text_is_shown_as_text(console: str, stack: Stack) -> None:
    email, api = stack.user("teacher")
    course = new_course(api, "Hostile")
    wait_job(api, upload(api, course["id"], FIXTURES / "input-output.md")["job"]["id"])
    assert api.patch(f"/api/v1/courses/{course['id']}", json={"title": HOSTILE_TITLE}).status_code == 200
    outline = api.get(f"/api/v1/courses/{course['id']}/outline").json()
    lesson = outline["modules"][0]["lessons"][0]
    patched = api.patch(f"/api/v1/lessons/{lesson['id']}", json={"title": HOSTILE_TITLE, "body": HOSTILE_BODY})
    assert patched.status_code == 200, patched.text
    requests: list[str] = []
    with browser_page() as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(console)
        page.get_by_role("textbox", name="Email").fill(email)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="My courses")).to_be_visible()
        expect(page.get_by_text(HOSTILE_TITLE, exact=True)).to_be_visible()  # every character, as written
        settle(page)
        assert_harmless(page)
        page.goto(f"{console}/lesson?course={course['id']}&lesson={lesson['id']}")
        expect(page.get_by_role("heading", name=HOSTILE_TITLE)).to_be_visible()
        body = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="A bold claim")
        expect(body.locator("strong", has_text="bold")).to_have_count(1)  # Markdown formatting stays
        expect(body.locator('a[href="https://example.org"]')).to_have_count(1)  # and safe links
        expect(page.get_by_text("[image: a cat]")).to_be_visible()
        expect(body.get_by_text("<script>window.__pwned=4</script>", exact=False)).to_be_visible()
        settle(page)
        screenshot(page, "teacher-hostile-lesson")
        assert_harmless(page)
    assert not [u for u in requests if TRAP in u], "a remote image was requested"


def assert_harmless(page: Page) -> None:
    assert page.evaluate("() => window.__pwned") is None
    for selector in (
        'img[src="x"]',
        'img[src="y"]',
        f'img[src*="{TRAP}"]',
        'a[href^="javascript"]',
        "script:text('pwned')",
    ):
        assert page.locator(selector).count() == 0, selector


def test_upload_errors_then_upload(console: str, stack: Stack, tmp_path: Path) -> None:
    email, api = stack.user("teacher")
    course = new_course(api, "Uploads")
    limits = httpx.get(f"{stack.url}/api/v1/limits").json()
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (limits["max_file_bytes"] + 1))
    program = tmp_path / "tool.exe"
    program.write_bytes(Path(sys.executable).resolve().read_bytes()[:50_000])
    renamed = tmp_path / "notes.pdf"
    renamed.write_bytes(program.read_bytes())
    with browser_page() as page:
        page.goto(f"{console}/materials?course={course['id']}")
        page.get_by_role("textbox", name="Email").fill(email)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Materials")).to_be_visible()
        # The limits are the API's (the test stack's MAX_FILE_MB is 3), not Streamlit's 200 MB.
        expect(page.get_by_text(f"each at most {limits['max_file_mb']:g} MB").first).to_be_visible()
        expect(page.get_by_text("200MB")).to_have_count(0)
        uploader = page.locator('[data-testid="stFileUploader"]')
        page.locator('input[type="file"]').set_input_files([str(big), str(program)])
        expect(uploader.get_by_text(re.compile(r"File must be .+ or smaller\."))).to_be_visible()
        expect(uploader.get_by_text(re.compile(r"files are not allowed\."))).to_be_visible()
        settle(page)
        screenshot(page, "teacher-upload-refused")
        page.get_by_role("button", name="Upload and process").click()
        form = page.locator('[data-testid="stForm"]')
        expect(form.get_by_text(re.compile("Choose one or more files first"))).to_be_visible()
        settle(page)
        page.locator('input[type="file"]').set_input_files(str(renamed))  # a program named .pdf: the API refuses it
        expect(uploader.get_by_text("notes.pdf")).to_be_visible()
        page.get_by_role("button", name="Upload and process").click()
        expect(form.get_by_text(re.compile("Could not upload the files: .+"))).to_be_visible()
        settle(page)
        screenshot(page, "teacher-upload-api-refused")

        page.locator('input[type="file"]').set_input_files(str(FIXTURES / "input-output.md"))
        expect(uploader.get_by_text("input-output.md")).to_be_visible()
        page.get_by_role("button", name="Upload and process").click()
        expect(page.get_by_text("Processing uploaded files: finished").first).to_be_visible(timeout=240_000)
        settle(page)
        # "processing has started" held while the job ran; it does not outlive it.
        expect(page.get_by_text("processing has started")).to_have_count(0)
        expect(page.get_by_text(re.compile("Could not upload"))).to_have_count(0)
        screenshot(page, "teacher-upload-done")


def test_analytics_axes_order_and_captions(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    at = app("views/analytics.py", course_id=ready_course["id"])
    charts = at.get("vega_lite_chart")
    assert charts, "the lesson completion chart is drawn"
    spec = json.loads(charts[0].proto.spec)
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 100], spec["encoding"]
    assert spec["encoding"]["y"]["sort"] is None  # the data's order: the course's
    lessons = ready_lessons(charts[0].proto)
    outline = [f"{n}. {t}" for n, t in enumerate(lesson_titles(teacher, ready_course["id"]), start=1)]
    assert lessons == outline, (lessons, outline)
    captions = " ".join(c.value for c in at.caption)
    assert "in course order" in captions


def ready_lessons(chart: Any) -> list[str]:
    """The lesson labels of a chart, in the order of its data (Streamlit sends the data as Arrow)."""
    data = chart.datasets[0].data.data if chart.datasets else chart.data.data
    return [str(x) for x in pa.ipc.open_stream(data).read_all().column("lesson").to_pylist()]


def lesson_titles(teacher: Teacher, course_id: str) -> list[str]:
    outline = teacher.api.get(f"/api/v1/courses/{course_id}/outline").json()
    return [lesson["title"] for module in outline["modules"] for lesson in module["lessons"]]
