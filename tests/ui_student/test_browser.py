"""Student journeys in headless chromium: errors that leave every control usable, the course view,
clickable citations, audio with a status while it is prepared, a phone-sized run.

Screenshots land in test-artifacts/screenshots/student-*.png.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.ui.browser import browser_page, screenshot
from tests.ui_student.conftest import Course, Student

LONG = 120_000  # ms: an answer, a quiz or speech may wait for the shared CPU


def field(page: Page, elem_id: str) -> str:
    return f"#{elem_id} input, #{elem_id} textarea"


def log_in(page: Page, url: str, student: Student, *, go: bool = True) -> None:
    if go:
        page.goto(url)
    page.locator(field(page, "login-email")).first.fill(student.email)
    page.locator(field(page, "login-password")).first.fill(student.password)
    page.locator("#login-button").click()
    expect(page.locator("#user-line")).to_contain_text(student.email)


def pick(page: Page, elem_id: str, option: str | re.Pattern[str]) -> None:
    """Choose an option of a Gradio dropdown the way a user does."""
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=option).first.click()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def join(page: Page, code: str) -> None:
    open_tab(page, "Courses")
    page.locator(field(page, "join-code")).first.fill(code)
    page.locator("#join-button").click()
    expect(page.locator("#outline")).to_contain_text("Module 1")


def open_from_outline(page: Page, title: str | re.Pattern[str]) -> None:
    """Click a lesson in the outline (unfolding its module first when it is folded)."""
    button = page.locator("#outline button.lesson", has_text=title).first
    if not button.is_visible():
        module = page.locator("#outline details.module", has=page.locator("button.lesson", has_text=title)).first
        module.locator("summary").click()
    button.click()
    expect(page.locator("#lesson-title")).to_contain_text(title)


def ask_tutor(page: Page, question: str, source: str) -> None:
    open_tab(page, "Tutor")
    page.locator(field(page, "chat-question")).first.fill(question)
    page.locator("#ask-button").click()
    expect(page.locator("#chat-citations")).to_contain_text(source, timeout=LONG)


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


def no_error_marks(page: Page) -> None:
    """Gradio's error toasts and red "Error" marks are what blocked the forms: none may show."""
    expect(page.locator(".toast-body.error, .toast-wrap .error")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Error$"))).to_have_count(0)


def test_every_error_shows_beside_its_control_and_the_journey_goes_on(
    student_ui: str, course: Course, student: Student
) -> None:
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        page.goto(student_ui)
        expect(page.locator("#login-button")).to_be_visible()
        screenshot(page, "student-login")

        page.locator(field(page, "login-email")).first.fill(student.email)
        page.locator(field(page, "login-password")).first.fill("not-the-password")
        page.locator("#login-button").click()
        expect(page.locator("#login-status .problem")).to_contain_text(re.compile("wrong email or password", re.I))
        no_error_marks(page)
        screenshot(page, "student-error-login")

        page.get_by_role("tab", name="Create an account").click()
        page.locator(field(page, "register-email")).first.fill("someone-new@test.io")
        page.locator(field(page, "register-password")).first.fill("short")
        page.locator("#register-button").click()
        expect(page.locator("#login-status .problem")).to_contain_text("at least 10 characters")
        no_error_marks(page)

        page.get_by_role("tab", name="Log in").click()
        log_in(page, student_ui, student, go=False)
        expect(page.locator("#login-panel")).to_be_hidden()

        page.locator(field(page, "join-code")).first.fill("NOSUCH99")
        page.locator("#join-button").click()
        expect(page.locator("#courses-status .problem")).to_contain_text(re.compile("code|not found", re.I))
        no_error_marks(page)
        screenshot(page, "student-error-code")
        join(page, course.code)  # the same form still works
        expect(page.locator("#course-header")).to_contain_text(course.title)

        open_tab(page, "Tutor")
        page.locator("#ask-button").click()
        expect(page.locator("#chat-status .problem")).to_contain_text("Type a question first")
        no_error_marks(page)
        screenshot(page, "student-error-question")
        ask_tutor(page, "How do formatted string literals work?", "input-output.md")
        expect(page.locator("#chat-status")).to_have_text("")
        expect(page.locator("#chatbot")).to_contain_text("[1]")


def test_course_view_outline_citations_progress_and_reload(
    student_ui: str, course: Course, student: Student
) -> None:
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        log_in(page, student_ui, student)
        join(page, course.code)
        # Joining opens the Course tab on the first lesson, the outline beside it.
        expect(page.get_by_role("tab", name="Course", exact=True)).to_have_attribute("aria-selected", "true")
        expect(page.locator("#outline button.lesson.current")).to_have_count(1)
        first = page.locator("#lesson-title").inner_text()
        open_from_outline(page, "Formatted String")
        assert page.locator("#lesson-title").inner_text() != first
        outline_box = page.locator("#outline").bounding_box()
        body_box = page.locator("#lesson-body").bounding_box()
        assert outline_box and body_box and outline_box["x"] > body_box["x"], "the outline sits beside the lesson"

        marker = page.locator("#lesson-body a[href^='#cite-lesson-']").first
        number = re.sub(r"\D", "", marker.inner_text())
        marker.click()
        row = page.locator(f"#lesson-citations details[data-n~='{number}']")
        expect(row).to_have_attribute("open", "")
        expect(row.locator("blockquote").first).to_be_visible()
        expect(row.locator("summary")).to_contain_text("input-output.md")
        rows = page.locator("#lesson-citations details summary").all_inner_texts()
        assert len(rows) == len(set(rows)), f"one source row per page: {rows}"
        screenshot(page, "student-lesson-cited")

        page.locator("#complete-button").click()
        expect(page.locator("#lesson-status")).to_contain_text("marked complete")
        current = page.locator("#outline button.lesson.current")
        expect(current).to_contain_text("✓")
        expect(page.locator("#course-header")).to_contain_text("1/")
        screenshot(page, "student-course")

        page.locator("#next-lesson").click()
        expect(page.locator("#lesson-title")).not_to_contain_text("Formatted String")
        reading = page.locator("#lesson-title").inner_text()
        page.reload()
        expect(page.locator("#lesson-title")).to_have_text(reading, timeout=LONG)
        expect(page.get_by_role("tab", name="Course", exact=True)).to_have_attribute("aria-selected", "true")
        expect(page.locator("#outline button.lesson.done")).to_have_count(1)

        page.locator("#listen-button").click()
        expect(page.locator("#lesson-status")).to_contain_text("Preparing audio")
        expect(page.locator("#lesson-audio")).to_be_visible(timeout=LONG)
        expect(page.locator("#lesson-status")).not_to_contain_text("Preparing")
        # The player streams: it plays while the rest of the lesson is still being spoken.
        expect(page.locator("#lesson-audio audio")).to_have_attribute("src", re.compile(r"^profai-audio/"))
        expect(page.locator("#lesson-audio .audio-state")).to_contain_text("Playing", timeout=LONG)
        print(f"Listen: first sound {page.evaluate('window.profaiFirstSoundMs'):.0f} ms after the click")
        screenshot(page, "student-listen", full_page=False)
        page.locator("#teach-button").click()
        expect(page.locator("#lesson-status")).to_contain_text(re.compile("Writing the lecture|Preparing audio"))
        expect(page.locator("#lecture-audio audio, #lecture-audio button").first).to_be_attached(timeout=LONG)
        expect(page.locator("#lesson-status")).not_to_contain_text("Preparing", timeout=LONG)
        # The lecture's text stays folded under its player: the lesson text is on the page once.
        expect(page.locator("#lecture-script")).to_be_hidden()
        screenshot(page, "student-teach-me", full_page=False)

        ask_tutor(page, "How do formatted string literals work?", "input-output.md")
        answer_marker = page.locator("#chatbot a[href^='#cite-chat-']").first
        number = re.sub(r"\D", "", answer_marker.inner_text())
        page.locator("#chat-citations details[open]").evaluate_all("rows => rows.forEach(r => r.open = false)")
        answer_marker.click()
        expect(page.locator(f"#chat-citations details[data-n~='{number}']")).to_have_attribute("open", "")
        screenshot(page, "student-chat")

        take_quiz(page)
        expect(page.locator("#quiz-result")).to_contain_text("Source:")
        screenshot(page, "student-quiz")
        open_tab(page, "Progress")
        expect(page.locator("#progress-report")).to_contain_text(course.title)


def test_a_cited_pdf_page_opens_from_its_source_row(student_ui: str, pdf_course: Course, student: Student) -> None:
    with browser_page(width=1280, height=900, timeout_ms=60_000) as page:
        log_in(page, student_ui, student)
        join(page, pdf_course.code)
        expect(page.locator("#lesson-citations")).to_contain_text("pdflatex-outline.pdf")
        expect(page.locator("#lesson-page-image")).to_be_hidden()
        page.locator("#lesson-citations summary").first.click()
        page.locator("#lesson-citations button.show-page").first.click()
        image = page.locator("#lesson-page-image img")
        expect(image).to_be_visible(timeout=LONG)
        assert image.evaluate("img => img.naturalWidth") > 300, "the page image did not load"
        screenshot(page, "student-lesson-page")


def test_phone_journey(student_ui: str, course: Course, student: Student) -> None:
    with browser_page(width=390, height=844, timeout_ms=60_000) as phone:
        log_in(phone, student_ui, student)
        join(phone, course.code)
        # On a phone the lesson comes first and the outline follows it.
        lesson_box = phone.locator("#lesson-title").bounding_box()
        outline_box = phone.locator("#outline").bounding_box()
        assert lesson_box and outline_box and outline_box["y"] > lesson_box["y"]
        screenshot(phone, "student-phone-course", full_page=False)
        open_from_outline(phone, "Formatted String")
        screenshot(phone, "student-phone-lesson", full_page=False)
        ask_tutor(phone, "How do I read a file?", "input-output.md")
        screenshot(phone, "student-phone-chat")
