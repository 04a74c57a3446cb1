"""Bounded retries with exponential backoff, shared by the network providers."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class RetryAfter(Exception):
    """Raise from the wrapped call to ask for a specific wait (e.g. HTTP 429 Retry-After)."""

    def __init__(self, seconds: float, cause: BaseException | None = None):
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds
        self.cause = cause


def retry_call(
    fn: Callable[[], T],
    *,
    retry_on: tuple[type[BaseException], ...],
    attempts: int = 4,
    base_delay: float = 0.25,
    max_delay: float = 8.0,
    max_total_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fn`; on `retry_on` errors (or RetryAfter) wait and try again, at most `attempts` times.

    The last error is re-raised (for RetryAfter: its cause) when attempts or the total
    wait budget run out, so callers report it instead of waiting forever.
    """
    waited = 0.0
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except RetryAfter as e:
            delay = e.seconds
            last: BaseException = e.cause or e
        except retry_on as e:
            delay = min(max_delay, base_delay * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
            last = e
        if attempt == attempts or waited + delay > max_total_wait:
            raise last
        sleep(delay)
        waited += delay
    raise AssertionError("unreachable")  # pragma: no cover
