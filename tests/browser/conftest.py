"""One JupyterLab server and one headless Chromium for the whole run; a fresh browser context per test.

The Chinese edition's tests (marked ``zh``) get a JupyterLab of their own (``tests/browser/test_zh_lab.py``).

A failing test leaves a screenshot in build/browser-screenshots/.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.lab import CHROMIUM, CHROMIUM_ARGS, PAGE_TIMEOUT, SCREENSHOT_DIR, JupyterLab

CALL_FAILED = pytest.StashKey[bool]()

# Scrolls the first traceback or failed widget into view, so that the screenshot shows it.
JS_SHOW_FIRST_PROBLEM = """() => {
    const outputs = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
    const problem = document.querySelector('.jupyter-widgets-error-widget')
        || outputs.find(o => /Traceback|Error displaying widget|Loading widget/.test(o.innerText || ''));
    if (problem) problem.scrollIntoView({block: 'center'});
}"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


def pytest_configure(config):
    config.addinivalue_line("markers", "zh: the Chinese edition's smoke, run by make test-browser-zh alone")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab as ``make lab`` starts it for a learner, its ``workspace/`` the student edition of notebooks/."""
    server = JupyterLab(tmp_path_factory.mktemp("jupyterlab"))
    server.start()
    yield server
    server.stop()


def missing(why: str) -> None:
    """No browser: skip, except where CI is set, where a run that tests nothing must fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI is set, so the browser tests fail instead of being skipped", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api as sync_api
    except ImportError:
        missing("no Playwright for Python (pip install -c constraints.txt -e '.[browser]')")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(request, browser, lab):
    """A page in a fresh browser context; its kernels are shut down afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT * 1000)
    page_errors = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    if request.node.stash.get(CALL_FAILED, False):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / (re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_") + ".png")
        try:
            page.evaluate(JS_SHOW_FIRST_PROBLEM)
            page.screenshot(path=str(path))
            print(f"screenshot: {path}")
        except Exception as exc:  # the page may be gone; the test's own failure is what matters
            print(f"no screenshot: {exc}")
        if page_errors:
            print("errors in the page:", *page_errors, sep="\n  ")
        print("JupyterLab log (tail):", lab.log_tail(), sep="\n")
    context.close()
    lab.shut_down_kernels()
