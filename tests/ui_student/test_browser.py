"""One end-to-end run in headless chromium: join, open a lesson, ask the tutor, read a citation, take a quiz.

Screenshots (desktop and a 390 px phone) land in test-artifacts/screenshots/student-*.png.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.ui.browser import browser_page, screenshot
from tests.ui_student.conftest import Course, Student

LONG = 120_000  # ms: an answer or a quiz may wait for the shared CPU


def field(page: Page, elem_id: str) -> str:
    return f"#{elem_id} input, #{elem_id} textarea"


def log_in(page: Page, url: str, student: Student) -> None:
    page.goto(url)
    page.locator(field(page, "login-email")).first.fill(student.email)
    page.locator(field(page, "login-password")).first.fill(student.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-line")).to_contain_text(student.email)


def pick(page: Page, elem_id: str, option: str | re.Pattern[str]) -> None:
    """Choose an option of a Gradio dropdown the way a user does."""
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=option).first.click()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def ask_tutor(page: Page, question: str) -> None:
    open_tab(page, "Tutor")
    page.locator(field(page, "chat-question")).first.fill(question)
    page.locator("#ask-button").click()
    expect(page.locator("#chat-citations")).to_contain_text("input-output.md", timeout=LONG)


def take_quiz(page: Page) -> None:
    open_tab(page, "Quizzes")
    pick(page, "quiz-picker", re.compile("questions"))
    page.locator("#start-quiz").click()
    expect(page.locator("#quiz-q1")).to_be_visible()
    for i in range(1, 31):
        radio = page.locator(f"#quiz-q{i}")
        if not radio.is_visible():
            break
        radio.get_by_role("radio").first.check()
    page.locator("#submit-quiz").click()
    expect(page.locator("#quiz-result")).to_contain_text("Your score", timeout=LONG)


def test_student_journey_in_chromium(student_ui: str, course: Course, student: Student) -> None:
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        page.goto(student_ui)
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        screenshot(page, "student-login")
        log_in(page, student_ui, student)

        page.locator(field(page, "join-code")).first.fill(course.code)
        page.locator("#join-button").click()
        expect(page.locator("#outline")).to_contain_text("Module 1")
        expect(page.locator("#course-header")).to_contain_text(course.title)
        screenshot(page, "student-courses")

        pick(page, "lesson-picker", re.compile("Formatted String"))
        page.locator("#open-lesson").click()
        expect(page.locator("#lesson-title")).to_contain_text("Formatted String")
        expect(page.locator("#lesson-citations")).to_contain_text("input-output.md")
        page.locator("#complete-button").click()
        expect(page.locator("#lesson-status")).to_contain_text("marked complete")
        screenshot(page, "student-lesson")

        ask_tutor(page, "How do formatted string literals work?")
        expect(page.locator("#chatbot")).to_contain_text("[1]")
        citation = page.locator("#chat-citations details").nth(1)
        citation.locator("summary").click()  # a click opens the quoted passage and its page
        expect(citation.locator("blockquote")).to_be_visible()
        expect(citation.locator("summary")).to_contain_text("page")
        screenshot(page, "student-chat")

        take_quiz(page)
        expect(page.locator("#quiz-result")).to_contain_text("Source:")
        screenshot(page, "student-quiz")

        open_tab(page, "Progress")
        expect(page.locator("#progress-report")).to_contain_text(course.title)
        screenshot(page, "student-progress")

    with browser_page(width=390, height=844, timeout_ms=60_000) as phone:
        log_in(phone, student_ui, student)
        phone.locator("#open-course").click()  # the only course is already chosen
        expect(phone.locator("#outline")).to_contain_text("done")
        screenshot(phone, "student-phone-courses")
        pick(phone, "lesson-picker", re.compile("Formatted String"))
        phone.locator("#open-lesson").click()
        expect(phone.locator("#lesson-title")).to_contain_text("Formatted String")
        screenshot(phone, "student-phone-lesson")
        ask_tutor(phone, "How do I read a file?")
        screenshot(phone, "student-phone-chat")
        take_quiz(phone)
        screenshot(phone, "student-phone-quiz")


def test_answer_language_and_a_cited_page_in_chromium(student_ui: str, pdf_course: Course, student: Student) -> None:
    """What gradio_client cannot show: picking from the dropdowns in a browser fires the right events."""
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        log_in(page, student_ui, student)
        page.locator(field(page, "join-code")).first.fill(pdf_course.code)
        page.locator("#join-button").click()
        expect(page.locator("#outline")).to_contain_text("Module 1")
        pick(page, "lesson-picker", re.compile("Foo"))
        page.locator("#open-lesson").click()
        expect(page.locator("#lesson-citations")).to_contain_text("pdflatex-outline.pdf")
        expect(page.locator("#lesson-page-image")).to_be_hidden()
        pick(page, "lesson-page-picker", re.compile(r"pdflatex-outline\.pdf, page \d"))
        image = page.locator("#lesson-page-image img")
        expect(image).to_be_visible(timeout=LONG)
        assert image.evaluate("img => img.naturalWidth") > 300, "the page image did not load"
        screenshot(page, "student-lesson-page")

        open_tab(page, "Tutor")
        pick(page, "chat-language", re.compile("Hindi"))
        page.locator(field(page, "chat-question")).first.fill("Is there a difference between this text and nonsense?")
        page.locator("#ask-button").click()
        expect(page.locator("#chatbot")).to_contain_text("need an LLM provider", timeout=LONG)
        pick(page, "chat-page-picker", re.compile(r"pdflatex-outline\.pdf, page \d"))
        expect(page.locator("#chat-page-image img")).to_be_visible(timeout=LONG)
        screenshot(page, "student-chat-page")
