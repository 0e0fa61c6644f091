"""The allocator settings applied at start-up (monitor.allocator)."""

from __future__ import annotations

import platform

import pytest

from monitor import allocator


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_glibc_gets_both_settings() -> None:
    """On glibc both the arena cap and the fixed mapping threshold are applied."""
    assert allocator.tune({}) == ["MALLOC_MMAP_THRESHOLD_", "MALLOC_ARENA_MAX"]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_the_users_environment_wins() -> None:
    """A MALLOC_ARENA_MAX the user set (glibc read it at start) is not overridden."""
    assert allocator.tune({"MALLOC_ARENA_MAX": "8"}) == ["MALLOC_MMAP_THRESHOLD_"]
    assert allocator.tune({"MALLOC_ARENA_MAX": "8", "MALLOC_MMAP_THRESHOLD_": "1"}) == []
