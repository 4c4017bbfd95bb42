"""A real terminal for smoke tests: tmux runs the app, send-keys types, capture-pane reads."""

from __future__ import annotations

import shlex
import subprocess
import sys
import threading
import time
import uuid


class Tmux:
    def __init__(self, command: list[str], env: dict[str, str], size=(100, 30)) -> None:
        self.name = f"vf-{uuid.uuid4().hex[:8]}"
        self._tick = threading.Event()
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"env {exports} {' '.join(shlex.quote(c) for c in command)}"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(size[0]),
                        "-y", str(size[1]), line], check=True)

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)

    def screen(self) -> str:
        result = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                                capture_output=True, text=True)
        return result.stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Poll the screen until `text` shows (bounded); the screen on success."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            self._tick.wait(0.05)  # poll interval between two looks at the screen
        raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")

    def pane_pid(self) -> int:
        out = subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{pane_pid}"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.strip())

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False,
                       capture_output=True)


def vigikfield_command() -> list[str]:
    return [sys.executable, "-m", "vigikfield"]
