"""axe-core in the browser tests: WCAG 2.1 A and AA violations of a page as the user sees it.

axe-core comes from npm (package.json and package-lock.json at the repository root; `npm ci`
installs it into node_modules/, as CI does). It is evaluated in the page through the DevTools
protocol, which the site's Content-Security-Policy (script-src 'self') does not govern, so the
page is checked with its real policy and no test-only script tag."""

import json
from functools import cache
from pathlib import Path

import pytest

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@cache
def _source() -> str:
    if not AXE_PATH.exists():
        pytest.skip("axe-core is not installed (run `npm ci` at the repository root)")
    return AXE_PATH.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations of the page as it stands, each reduced to its rule, help
    text and the first few elements it names."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => ({
                    target: n.target.join(" "),
                    summary: n.failureSummary,
                })),
            }));
        }""",
        WCAG_TAGS,
    )
    return found


def assert_accessible(page, where: str = "") -> None:
    """No axe violation on the page; the message names each rule and the elements."""
    found = violations(page)
    if found:
        label = where or page.url
        raise AssertionError(
            f"axe found {len(found)} violation(s) on {label}:\n"
            + json.dumps(found, indent=1, ensure_ascii=False)
        )
