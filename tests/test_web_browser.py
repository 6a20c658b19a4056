"""The workbench and the HTML report in a real browser: the system's headless Chromium driven by
Playwright (pointed at /usr/bin/chromium; no browser is downloaded). Screenshots are written under a
temporary folder whose path the tests print. Skipped, with the reason, where no Chromium is installed
(the module installs Debian's Chromium with apt first where it is missing and apt can)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.browser
playwright = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is missing (pip install -e '.[dev]')"
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "utvardering_kommundirektor.csv"


def _find_chromium() -> str | None:
    return next(
        (
            p
            for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
            if p and Path(p).is_file()
        ),
        None,
    )


def _install_chromium() -> str:
    """Debian's Chromium where it is missing and apt can install it (as root, or with password-less sudo),
    so that the README's one test command runs the browser tests on a fresh machine too. Returns why not."""
    if shutil.which("apt-get") is None:
        return "no apt-get on this machine"
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        try:
            done = subprocess.run(sudo + cmd, env=env, capture_output=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"{' '.join(cmd)}: {type(err).__name__}"
        if done.returncode != 0:
            return f"{' '.join(cmd)} exited {done.returncode}"
    return ""


_why = "STAMNING_NO_APT=1"
CHROMIUM = _find_chromium()
if CHROMIUM is None and os.environ.get("STAMNING_NO_APT") != "1":
    _why = _install_chromium()
    CHROMIUM = _find_chromium()
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
A4_POINTS = (595.0, 842.0)
A4_TEXT_WIDTH_PX = 703  # 210 mm − 2 × 12 mm margins at 96 px per inch

if CHROMIUM is None:
    pytest.skip(
        f"no Chromium, and it could not be installed ({_why}); apt-get install -y chromium", allow_module_level=True
    )


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory, pytestconfig) -> Path:
    folder = tmp_path_factory.mktemp("skarmbilder")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nSkärmbilder från webbläsartesterna: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            accept_downloads=True,
            viewport={"width": 1100, "height": 900},
            locale="sv-SE",
        )
        context.set_default_timeout(30_000)
        yield context
        context.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_model_dir, free_port):
    """The real server (uvicorn) on a free loopback port, with the tiny model."""
    import uvicorn

    from stamning.web import create_app
    from stamning.web.security import Access

    access = Access()
    home = tmp_path_factory.mktemp("stamning-home")
    app = create_app(home=home, model=tiny_model_dir, access=access)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", access, home
    srv.should_exit = True
    thread.join(10)


def test_bundled_example_from_upload_to_downloaded_xlsx(browser, server, screenshots, tmp_path):
    base, access, home = server
    page = browser.new_page()
    assert page.goto(f"{base}/").status == 403  # no token, no page
    page.goto(f"{base}/?token={access.token}")
    assert page.url == f"{base}/" and access.token not in page.url
    page.screenshot(path=str(screenshots / "01_start.png"), full_page=True)

    page.set_input_files("#file", str(EXAMPLE))
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_url(re.compile(r".*/kolumner$"))
    assert page.input_value("#col-text") == "Kommentar" and page.input_value("#col-round") == "Omgång"
    assert page.input_value("#col-group") == "Grupp" and page.input_value("#col-id") == "Respondent"
    page.screenshot(path=str(screenshots / "02_kolumner.png"), full_page=True)

    page.get_by_role("button", name="Klassa och sammanfatta").click()
    page.wait_for_selector("#progress, #done")
    page.screenshot(path=str(screenshots / "03_klassar.png"), full_page=True)
    page.wait_for_selector("#done", timeout=180_000)  # the page's script reloads when the run is done
    assert "Klar: 186 rader" in page.inner_text("#done")
    report = page.frame_locator("iframe.report")
    assert report.locator("svg").count() >= 3 and report.locator("h2", has_text="Jämförelser").count() == 1
    page.screenshot(path=str(screenshots / "04_rapport.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Klassade rader (Excel)").click()
    target = tmp_path / "klassade.xlsx"
    info.value.save_as(target)
    rows = pd.read_excel(target, dtype=str)
    source = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str)
    assert len(rows) == len(source) == 186
    assert sorted(rows["Respondent"]) == sorted(source["Respondent"]) and rows["Respondent"].is_unique
    assert set(rows["status"]) <= {"ok", "skipped"}

    run_id = page.url.rstrip("/").split("/")[-1]
    page.get_by_role("button", name="Radera körningen och dess filer").click()
    page.wait_for_url(f"{base}/")
    assert not (home / "serve" / run_id).exists()
    page.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, tiny_model_dir) -> Path:
    from stamning.engines.survey import SurveyOptions, summarize_file
    from stamning.report.render import to_html

    summary = summarize_file(EXAMPLE, SurveyOptions(by=("round", "group"), model=str(tiny_model_dir)))
    path = tmp_path_factory.mktemp("rapport") / "rapport.html"
    path.write_text(to_html(summary), "utf-8")
    return path


def test_report_prints_on_a4_with_every_column_and_group(browser, report_file, screenshots):
    page = browser.new_page()
    page.set_viewport_size({"width": A4_TEXT_WIDTH_PX, "height": 1000})
    page.goto(report_file.as_uri())
    page.emulate_media(media="print")
    layout = page.evaluate("""() => ({
        page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
        tables: [...document.querySelectorAll('table')].map(t => [t.scrollWidth, t.parentElement.clientWidth,
                  t.getBoundingClientRect().right]),
        details: [...document.querySelectorAll('details')].map(d => d.lastElementChild.checkVisibility()),
        charts: [...document.querySelectorAll('figure.chart svg')].map(s => s.getBoundingClientRect().right),
    })""")
    assert layout["tables"] and layout["details"]
    assert layout["page"][0] <= layout["page"][1], "the page is wider than A4 when printed"
    clipped = [t for t in layout["tables"] if t[0] > t[1] + 1 or t[2] > A4_TEXT_WIDTH_PX + 1]
    assert not clipped, f"{len(clipped)} of {len(layout['tables'])} tables are wider than the printed page"
    assert all(layout["details"]), "collapsed group sections are hidden in print"
    assert all(r <= A4_TEXT_WIDTH_PX + 1 for r in layout["charts"])
    page.screenshot(path=str(screenshots / "05_utskrift.png"), full_page=True)

    pdf = page.pdf(format="A4", print_background=True)
    (screenshots / "rapport.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no pages in the PDF"
    for w, h in boxes:
        assert abs(float(w) - A4_POINTS[0]) < 2 and abs(float(h) - A4_POINTS[1]) < 2, (w, h)
    page.close()
