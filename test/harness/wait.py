"""Bounded polling: wait for a condition with a deadline instead of fixed sleeps."""
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    pass


def wait_until(cond: Callable[[], T], timeout: float, what: str, interval: float = 0.05,
               fatal: tuple[type[BaseException], ...] = ()) -> T:
    """Call cond until it returns a truthy value; raise WaitTimeout after timeout seconds.

    Exceptions raised by cond count as "not yet" (the last one is reported), except those
    of a type in fatal, which end the wait at once (e.g. the process being waited for died).
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = cond()
            if value:
                return value
        except fatal:
            raise
        except Exception as e:  # the condition is probing something still starting
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise WaitTimeout(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(interval)
