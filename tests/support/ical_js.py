"""Mozilla's ical.js (Thunderbird's parser) run through node: an independent reader.

`make test` installs it (`npm ci` in tests/js). Without node or without the
package, a test that needs it fails with a message saying how to get it: the
ical.js checks are part of the suite, never silently skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

JS_DIR = Path(__file__).resolve().parent.parent / "js"
PARSE_ICS = JS_DIR / "parse_ics.js"


def _node() -> str:
    node = shutil.which("node")
    assert node, "node is required for the ical.js checks: install Node.js 18+ and run `make test`"
    assert (JS_DIR / "node_modules" / "ical.js").is_dir(), (
        "ical.js is not installed: run `make test` (or `cd tests/js && npm ci`)"
    )
    return node


def parse(path: Path) -> dict:
    """What ical.js reads in the .ics file at `path` (see tests/js/parse_ics.js)."""
    out = subprocess.run(
        [_node(), str(PARSE_ICS), str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
