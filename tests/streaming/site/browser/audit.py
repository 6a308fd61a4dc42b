"""What a page must not do beyond its looks: fail an accessibility check (axe-core, vendored in
`vendor/axe-core`, loaded from disk: the tests never reach the network), log an error or warning
on its console, or ask for something the server does not have."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: The impacts that fail a page; "moderate" and "minor" are reported but allowed.
FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; return its serious and critical violations.

    The script is evaluated through the DevTools protocol, which the page's policy does not
    govern; the style elements axe adds while it checks colours are, so run it in a context that
    bypasses the policy (`open_page(..., bypass_csp=True)`).
    """
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)


class Strict:
    """Everything a page logged on its console (errors and warnings) and every response of 400
    or more it received, to assert none (or only the expected ones)."""

    def __init__(self, page: Any) -> None:
        self.console: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.console.append(f"{msg.type}: {msg.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _request_failed(self, request: Any) -> None:
        # A request cut short by leaving the page (or by a download) is not a failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"failed {request.url}: {request.failure}")

    def assert_clean(self, *, expected: tuple[str, ...] = ()) -> None:
        """Fail on any console error or warning, and on any failed response but those whose URL
        ends with one of `expected` (a page that is an error page on purpose); Chromium's own
        console line for each of those is expected too."""
        unexpected = [f for f in self.failed if not (expected and f.endswith(expected))]
        allowed = len(self.failed) - len(unexpected)
        console = list(self.console)
        for _ in range(allowed):
            line = next((c for c in console if "Failed to load resource" in c), None)
            if line is not None:
                console.remove(line)
        assert unexpected == [], unexpected
        assert console == [], console
