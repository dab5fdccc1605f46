"""The simulator stands alone: importing it loads none of the bot's packages."""

from __future__ import annotations

import subprocess
import sys

BOT_PACKAGES = ("bot", "handlers", "jobs", "storage")


def test_importing_tgsim_loads_no_bot_package() -> None:
    # A fresh interpreter: this test process has the bot's packages loaded already.
    script = (
        "import sys, tgsim, tgsim.methods\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {BOT_PACKAGES!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == ""
