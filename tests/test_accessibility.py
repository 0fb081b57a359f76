"""The HTML reports in a real browser: axe-core in Debian's headless Chromium finds no serious or critical
violation on the decision, ranking, status and annual reports, at 1280 px and at 390 px wide.

Needs the Debian `chromium` package (.ci/run installs it), the `playwright` Python package (never its own
browser download) and axe-core, as shipped by the axe-playwright-python package (both in the test extra, as
for the web app's page tests); the test is skipped where one is missing.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rules_engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
OB = ROOT / "policies" / "openbaar-belang"
OCC = OB / "examples" / "bezetting-2024-2025.csv"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _axe_script() -> Path | None:
    if os.environ.get("AXE_CORE"):
        return Path(os.environ["AXE_CORE"])
    try:
        from importlib.resources import files

        path = Path(str(files("axe_playwright_python") / "axe.min.js"))
    except ImportError:
        return None
    return path if path.is_file() else None


playwright = pytest.importorskip("playwright.sync_api")
AXE = _axe_script()
pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) and AXE), reason="Chromium or axe-core not installed")


def _report(tmp_path, name: str, *args) -> Path:
    res = CliRunner().invoke(cli, list(map(str, args)))
    assert res.exit_code == 0, res.output
    path = tmp_path / f"{name}.html"
    if not path.exists():
        path.write_text(res.output, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    hh = OB / "examples" / "households" / "aandacht-2p.yaml"
    return {
        "decision": _report(tmp, "decision", "evaluate", OB, "--unit", "ZW-ASN-01-A09", "--household", hh,
                            "--date", "2025-06-01", "--format", "html"),
        "ranking": _report(tmp, "ranking", "rank", OB, "--unit", "ZW-ASN-01-A09", "--candidates",
                           OB / "examples" / "kandidaten.yaml", "--date", "2025-06-01", "--format", "html"),
        "status": _report(tmp, "status", "status", OB, "--occupancy", OCC, "--date", "2025-12-31", "--format", "html"),
        "annual": _report(tmp, "annual", "report", "annual", OB, "--year", "2025", "--occupancy", OCC, "--format",
                          "html", "-o", tmp / "annual.html"),
    }


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("kind", ["decision", "ranking", "status", "annual"])
def test_reports_have_no_serious_accessibility_violations(reports, kind, width):
    shots = os.environ.get("MAGICMIX_SCREENSHOTS")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(reports[kind].as_uri())
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            # the page fits its width: nothing but the scrolling table and chart boxes is wider than the screen
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if shots:
                page.screenshot(path=os.path.join(shots, f"{kind}-{width}.png"), full_page=True)
        finally:
            browser.close()
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps(bad, indent=1)
    assert overflow <= width + 1, f"{kind} is {overflow} px wide on a {width} px screen"
    html = reports[kind].read_text(encoding="utf-8")
    assert "<main>" in html and html.count("<svg") == html.count('role="img"') and "€ " not in html
