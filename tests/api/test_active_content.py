"""A PDF carrying JavaScript is taught from its text, its original is served so that nothing
in it runs, its pages are shown as images, and the teacher is told what it holds."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from tests.api.test_courses import make_course
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, wait_job


def scripted_pdf() -> bytes:
    """A real fixture with an incremental update that adds a JavaScript OpenAction to its catalog."""
    pdf = pdfium.PdfDocument(FIXTURES / "pdflatex-outline.pdf")
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    data = out.getvalue()
    # Appended objects and an HTML page at the end: a PDF/HTML polyglot with a script action.
    return data + (
        b"\n9990 0 obj << /Type /Action /S /JavaScript /JS (app.alert('hi')) >> endobj\n"
        b"<html><body><script>alert(document.cookie)</script></body></html>\n"
    )


def test_scripted_pdf_is_noted_and_served_inert(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    tricky = scripted_pdf()
    reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=[("files", ("tricky.pdf", tricky))])
    assert reply.status_code == 202, reply.text
    doc = reply.json()["documents"][0]
    job = wait_job(teacher, reply.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    warnings = " ".join(job["result"]["warnings"])
    assert "tricky.pdf" in warnings and "JavaScript" in warnings and "HTML page" in warnings, warnings
    assert "Warning:" in job["message"]

    original = teacher.get(f"/api/v1/courses/{cid}/documents/{doc['id']}/file")
    assert original.status_code == 200 and original.content == tricky
    assert original.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in original.headers["content-security-policy"]
    assert original.headers["x-content-type-options"] == "nosniff"
    page = teacher.get(f"/api/v1/courses/{cid}/documents/{doc['id']}/pages/1")
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"

    # An ordinary upload has no such warning.
    plain = teacher.post(
        f"/api/v1/courses/{cid}/documents", files=[("files", ("notes.md", (FIXTURES / "input-output.md").read_bytes()))]
    )
    assert wait_job(teacher, plain.json()["job"]["id"])["result"]["warnings"] == []
