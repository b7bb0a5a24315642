"""Waiting in tests on a state, never on a fixed number of seconds."""

import time


def wait_for(condition, *, timeout=90, what="the state"):
    """Poll ``condition`` until it returns something true and return that (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
