"""What a learner sees when JupyterLab opens, before running anything (lab/README.md).

- No notification pops up over the course: JupyterLab asks whether to fetch Jupyter's news unless the course's
  ``lab/overrides.json`` says never (``make install`` copies it into the virtualenv's JupyterLab, which the
  server reads; ``tests/test_lab_config.py`` checks that the copy is up to date).
- No nbgrader authoring or grading tools: no "Nbgrader" menu, no "Formgrader", "Create Assignment", "Assignment
  List" or "Course List" in the menus, the command palette or the side bars, no "Validate" button, and no
  formgrader served (``lab/student`` on ``JUPYTER_CONFIG_PATH`` turns them off).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import playwright.sync_api  # run.sh installs it: a missing one is an error, never a skip

from tests.browser.lab import NOTEBOOK_DIR, PANEL, click_menu, menu_bar_labels, open_menu, open_notebook

# The notebook `make lab` opens first (its default_url).
FIRST = sorted(NOTEBOOK_DIR.glob("*.ipynb"))[0].name
# Seconds to watch for a notification after JupyterLab has started: it asks about news once the app is
# restored, well before the notebook's kernel is idle.
NOTIFICATION_WAIT = 5
GRADING = re.compile(r"nbgrader|formgrader|create assignment|assignment list|course list", re.IGNORECASE)

JS_TOASTS = "() => Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.innerText.trim())"
# Every label and tooltip a learner can see without opening anything: the menu bar, the side bars' tabs,
# the toolbars' buttons, the status bar.
JS_VISIBLE_LABELS = """() => Array.from(document.querySelectorAll(
        '#jp-MainMenu .lm-MenuBar-itemLabel, .jp-SideBar .lm-TabBar-tab, .jp-Toolbar-item, #jp-main-statusbar > *'))
    .flatMap(e => [e.innerText, e.getAttribute('title'), e.getAttribute('aria-label'),
                   ...Array.from(e.querySelectorAll('[title]')).map(t => t.getAttribute('title'))])
    .filter(Boolean).map(t => t.trim())"""


def test_no_notification_pops_up(page, lab):
    open_notebook(page, lab, FIRST)
    try:
        page.wait_for_selector(".Toastify__toast", timeout=NOTIFICATION_WAIT * 1000)
    except playwright.sync_api.TimeoutError:
        pass
    toasts = page.evaluate(JS_TOASTS)
    assert not toasts, f"JupyterLab shows a notification over the course: {toasts}"
    # nor one that was shown and closed: the notification centre in the status bar counts them
    center = page.locator(".jp-Notification-Status-Text")
    count = center.first.inner_text().strip() if center.count() else "0"
    assert count in ("", "0"), f"JupyterLab's notification centre holds {count} notification(s)"


def test_no_grading_tools(page, lab):
    open_notebook(page, lab, FIRST)
    found = {}  # where -> what nbgrader shows there: every place is looked at, then all are reported
    menus = menu_bar_labels(page)
    assert "View" in menus, menus
    found["the menu bar"] = [m for m in menus if GRADING.search(m)]
    found["side bars, toolbars, status bar"] = [t for t in page.evaluate(JS_VISIBLE_LABELS) if GRADING.search(t)]
    buttons = [b.strip() for b in page.locator(PANEL + ".jp-Toolbar-item").all_inner_texts()]
    found["the notebook's toolbar"] = [b for b in buttons if b == "Validate"]

    open_menu(page, "View")
    items = page.locator(".lm-Menu:not(.lm-mod-hidden) .lm-Menu-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    assert items, "the View menu did not open"
    found["the View menu"] = [i for i in items if GRADING.search(i)]

    click_menu(page, "View", ("apputils:activate-command-palette",))
    page.locator(".lm-CommandPalette-itemLabel:visible").first.wait_for()
    commands = page.locator(".lm-CommandPalette-itemLabel, .lm-CommandPalette-header").all_text_contents()
    assert len(commands) > 50, commands
    found["the command palette"] = [c for c in commands if GRADING.search(c)]

    try:
        with urllib.request.urlopen(f"{lab.url}/formgrader", timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    found["the server"] = [] if status == 404 else [f"/formgrader answers HTTP {status}"]

    found = {where: what for where, what in found.items() if what}
    assert not found, f"nbgrader shows itself to the learner: {found}"
