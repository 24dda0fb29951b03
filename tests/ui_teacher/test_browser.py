"""End to end in headless chromium: the real `profai ui-teacher` server against the test stack."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect

from tests.fixtures_path import FIXTURES
from tests.harness import PASSWORD
from tests.ui.browser import browser_page, screenshot
from tests.ui_teacher.conftest import Teacher

PHONE: ViewportSize = {"width": 390, "height": 844}
expect.set_options(timeout=30_000)  # two shared cores: a Streamlit rerun can take seconds


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My courses")).to_be_visible()


def settle(page: Page) -> None:
    """Wait until Streamlit has finished rerunning the script."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)


def test_teacher_workflow_in_a_browser(console: str, teacher: Teacher) -> None:
    pdf = FIXTURES / "pdflatex-outline.pdf"
    with browser_page(1280, 900) as page:
        log_in(page, console, teacher.email)
        settle(page)
        screenshot(page, "teacher-courses-desktop")

        page.get_by_text("Create a course").click()
        settle(page)  # a click that lands while the script reruns is dropped by Streamlit
        page.get_by_role("textbox", name="Title").fill("LaTeX outlines")
        settle(page)
        page.get_by_role("button", name="Create course").click()
        expect(page.get_by_role("heading", name="Materials")).to_be_visible()
        settle(page)

        page.locator('input[type="file"]').set_input_files(str(pdf))
        expect(page.get_by_text(pdf.name).first).to_be_visible()
        page.get_by_role("button", name="Upload and process").click()
        expect(page.get_by_text("processing has started")).to_be_visible()
        with contextlib.suppress(AssertionError):  # best effort: a small PDF may finish before a stage is seen
            expect(page.get_by_text(re.compile(r"\(\d+%\)")).first).to_be_visible(timeout=30_000)
        screenshot(page, "teacher-materials-processing-desktop")
        expect(page.get_by_text("Processing uploaded files: finished").first).to_be_visible(timeout=240_000)
        expect(page.get_by_text(re.compile(r"\bready$")).first).to_be_visible()
        settle(page)
        screenshot(page, "teacher-materials-desktop")

        page.locator('[data-testid="stSidebarNav"]').get_by_text("Course", exact=True).click()
        expect(page.get_by_role("heading", name="Course")).to_be_visible()
        settle(page)
        screenshot(page, "teacher-outline-desktop")
        page.locator('[class*="st-key-open-"] button').first.click()
        expect(page.get_by_role("heading", name="Lesson")).to_be_visible()
        expect(page.get_by_role("heading", name="Sources")).to_be_visible()
        expect(page.get_by_text(f"{pdf.name}, page").first).to_be_visible()
        settle(page)
        screenshot(page, "teacher-lesson-desktop")
        with page.expect_download() as download:  # fetched with the token, only when clicked
            page.locator('[data-testid="stDownloadButton"] button').first.click()
        assert download.value.suggested_filename == pdf.name
        assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

        nav = page.locator('[data-testid="stSidebarNav"]')
        for name, shot in (("Quizzes", "quizzes"), ("Analytics", "analytics"), ("API keys", "api-keys")):
            nav.get_by_text(name, exact=True).click()
            expect(page.get_by_role("heading", name=name)).to_be_visible()
            settle(page)
            screenshot(page, f"teacher-{shot}-desktop")
        nav.get_by_text("Lesson", exact=True).click()
        expect(page.get_by_role("heading", name="Sources")).to_be_visible()

        page.set_viewport_size(PHONE)
        settle(page)
        screenshot(page, "teacher-lesson-phone")

    with browser_page(**PHONE) as phone:
        log_in(phone, console, teacher.email)
        expect(phone.get_by_text("LaTeX outlines")).to_be_visible()
        settle(phone)
        screenshot(phone, "teacher-courses-phone")
        phone.get_by_role("button", name="Open course").first.click()
        expect(phone.get_by_role("heading", name="Course")).to_be_visible()
        settle(phone)
        screenshot(phone, "teacher-outline-phone")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"

        phone.get_by_role("button", name=re.compile("Move to module")).first.click()
        expect(phone.get_by_role("button", name="Move", exact=True).first).to_be_visible()
        settle(phone)
        screenshot(phone, "teacher-move-lesson-phone")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the move popover scrolls sideways on a phone ({width}px)"
        phone.get_by_role("button", name="Move", exact=True).first.click()
        moved = re.compile(r"Moved “(.+)” to the end of (Module 2: .+)\.")
        expect(phone.get_by_text(moved)).to_be_visible()
        said = moved.fullmatch(phone.get_by_text(moved).inner_text().strip())
        assert said, "the confirmation names the lesson and its new module"
        lesson, module = said.groups()
        target = phone.locator('[data-testid="stExpander"]').filter(has_text=module)
        # The receiving module opens, with the lesson last in it.
        expect(target.get_by_text(re.compile(rf"^\d+\. {re.escape(lesson)}$")).last).to_be_visible()
        settle(phone)
        screenshot(phone, "teacher-moved-lesson-phone")
