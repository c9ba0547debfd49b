"""The report pages in a real browser: Debian's chromium, driven by Playwright.

No `playwright install` download: the test drives the system chromium (installed by
scripts/install-system-deps.sh) and skips, saying so, only when that browser is absent.
Every request is routed: anything but the page's own file fails the test, which is how
"opens from disk with no network" is checked. Screenshots land in test-artifacts/.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.report.class_report import write_class_reports
from grader.report.html import write_result
from tests.report_fixtures import class_entries, run_info, student_result

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/install-system-deps.sh "
                                                         "installs it as root on Debian); browser checks skipped")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    paths = write_class_reports(out / "class", class_entries(6, ("scalar-net", "softmax")), run_info())
    check = write_result(student_result("bob", variant=1), out / "check" / "bob.html")
    return {"index": paths.index, "student": paths.student_pages["bob"],
            "broken": paths.student_pages["Carol Ann"], "check": check}


def _open(browser, path: Path):
    """The page at `path`, with its console errors and every request that tried to leave."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, offline=True)
    errors: list[str] = []
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith("file://") and r.request.url.split("#")[0] == path.as_uri():
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    return context, page, errors, outside


MATH_LAYOUT = """() => [...document.querySelectorAll('math')].map(m => {
  const r = m.getBoundingClientRect();
  const f = m.querySelector('mfrac');
  let stacked = null;
  if (f && f.children.length == 2) {
    const num = f.children[0].getBoundingClientRect(), den = f.children[1].getBoundingClientRect();
    stacked = num.bottom <= den.top + 1;  // a fraction laid out as a fraction, not as a line of text
  }
  return {w: r.width, h: r.height, stacked};
})"""

SVG_TEXT_INSIDE = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const s = svg.getBoundingClientRect();  // screen boxes: rotated labels are measured as drawn
  return [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBoundingClientRect();
    return {text: t.textContent, size: s.width,
            inside: b.left >= s.left - 0.5 && b.top >= s.top - 0.5 && b.right <= s.right + 0.5 && b.bottom <= s.bottom + 0.5};
  });
})"""

@pytest.mark.parametrize("name", ["student", "check", "broken", "index"])
def test_page_renders_math_and_charts_offline_without_errors(browser, pages, name: str) -> None:
    context, page, errors, outside = _open(browser, pages[name])
    try:
        math = page.evaluate(MATH_LAYOUT)
        if name != "index":
            assert math, "no <math> on a page with math answers"
        assert all(m["w"] > 0 and m["h"] > 0 for m in math), math
        assert all(m["stacked"] is not False for m in math), "a fraction is not laid out as one"
        if name in ("student", "check"):
            assert any(m["stacked"] for m in math)
        texts = page.evaluate(SVG_TEXT_INSIDE)
        clipped = [t["text"] for t in texts if not t["inside"]]
        assert not clipped, f"chart text clipped at the edge: {clipped}"
        assert all(t["size"] > 100 for t in texts)
        if name in ("student", "index"):
            assert texts, "no chart drawn"
        assert not errors, errors
        assert not outside, f"requests left the page: {outside}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
        assert (ARTIFACTS / f"report-{name}.png").stat().st_size > 10_000
    finally:
        context.close()


def test_links_from_the_summary_reach_every_student_page(browser, pages) -> None:
    context, page, errors, outside = _open(browser, pages["index"])
    try:
        hrefs = page.eval_on_selector_all("table.students a", "els => els.map(e => e.href)")
        assert len(hrefs) == 6
        for href in hrefs:
            assert href.startswith("file://") and Path(href.removeprefix("file://").split("#")[0]).is_file(), href
    finally:
        context.close()


def test_a_page_that_fetches_something_is_caught(browser, tmp_path: Path) -> None:
    """The net of this file must hold: a page asking for a remote image fails the checks."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><img src="https://example.org/x.png"><script>console.error("boom")</script>',
                   encoding="utf-8")
    context, page, errors, outside = _open(browser, bad)
    try:
        assert outside == ["https://example.org/x.png"]
        assert "boom" in errors
    finally:
        context.close()
