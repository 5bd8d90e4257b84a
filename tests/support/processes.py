"""Run `engage` as a real subprocess and wait for what it says, never for a fixed time."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

LISTENING = re.compile(r"Engage listening on http://([\d.]+):(\d+)")
ENGAGE = [sys.executable, "-m", "adapters.main"]


def engage_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The test's settings on a clean environment: no developer setting, an English C locale."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(("ENGAGE_", "SLACK_", "MICROSOFTAPP"))
        and key not in ("LC_ALL", "LC_MESSAGES", "LANG")
    }
    return {**base, "LANG": "C.UTF-8", **extra}


@dataclass
class EngageProcess:
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    async def wait_for_line(self, pattern: re.Pattern[str], within: float = 30.0) -> re.Match[str]:
        assert self.process.stderr is not None

        async def scan() -> re.Match[str]:
            assert self.process.stderr is not None
            while True:
                raw = await self.process.stderr.readline()
                if not raw:
                    raise AssertionError("process ended before printing " + pattern.pattern)
                line = raw.decode()
                self.lines.append(line)
                if match := pattern.search(line):
                    return match

        return await asyncio.wait_for(scan(), within)

    async def port(self) -> int:
        return int((await self.wait_for_line(LISTENING)).group(2))

    async def finish(self, within: float = 30.0) -> tuple[int, str]:
        """Wait for exit; return the code and everything written to stderr."""
        _, rest = await asyncio.wait_for(self.process.communicate(), within)
        assert self.process.returncode is not None
        return self.process.returncode, "".join(self.lines) + rest.decode()


async def start_engage(*args: str, env: Mapping[str, str], cwd: str) -> EngageProcess:
    process = await asyncio.create_subprocess_exec(
        *ENGAGE,
        *args,
        env=engage_env(env),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    return EngageProcess(process)


async def run_engage(*args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    """Run `engage ARGS` to completion: (exit code, stdout, stderr)."""
    engage = await start_engage(*args, env=env, cwd=str(cwd))
    out, err = await engage.process.communicate()
    assert engage.process.returncode is not None
    return engage.process.returncode, out.decode(), err.decode()
