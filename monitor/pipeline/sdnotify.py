"""The systemd notify protocol (sd_notify(3)) in a few lines of stdlib.

``$NOTIFY_SOCKET`` names a datagram socket: a path, or an abstract name written
with a leading "@". Without it every call is a no-op, so the daemon runs the same
under systemd, in a terminal and in tests.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


class Notifier:
    """Sends READY=1, WATCHDOG=1, STOPPING=1, STATUS=… to systemd when it listens."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self._address = _address(env.get("NOTIFY_SOCKET", ""))
        self._watchdog = _watchdog_seconds(env)

    @property
    def enabled(self) -> bool:
        return self._address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between pings: half the WatchdogSec= systemd granted us, if any."""
        return self._watchdog / 2 if self._watchdog else None

    def notify(self, *states: str) -> bool:
        """Send ``KEY=VALUE`` lines in one datagram; False when nobody listens or it failed."""
        if self._address is None:
            return False
        payload = "\n".join(states).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self._address)
                sock.sendall(payload)
        except OSError:
            return False  # systemd gone or socket vanished: the daemon's work goes on
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self, status: str = "") -> bool:
        return self.notify("STOPPING=1", *([f"STATUS={status}"] if status else []))


def _address(value: str) -> str | bytes | None:
    if not value or value[0] not in "/@":
        return None  # unset, or a vsock address we do not speak
    if value[0] == "@":
        return b"\0" + value[1:].encode("utf-8")  # Linux abstract namespace
    return value


def _watchdog_seconds(env: Mapping[str, str]) -> float | None:
    usec = env.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None  # meant for another process (we were forked off the notified one)
    return int(usec) / 1_000_000
