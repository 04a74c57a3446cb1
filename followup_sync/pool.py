"""A bounded pool of writer threads that backs off when the server asks it to.

Used by `Provider.write_many` for providers with `concurrency` > 1: over a slow
link most of a write is waiting for the answer, so a few writes in flight at once
cut a push's time by about that factor. Each worker thread calls the provider's
create/update/delete; results come back to the calling thread, which alone reads
the writes to do and records what was written (the store's SQLite connection
stays on one thread).

The number of writes in flight adapts like TCP's congestion window (additive
increase, multiplicative decrease): a 429 or 503 from the server halves it and
holds every thread back for the Retry-After the server sent; each run of
successes as long as the current limit allows one more, up to `concurrency`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator

from .provider import Write, WriteResult


class Throttle:
    """How many writes may be in flight now, and until when every request holds off.

    Shared by one provider's worker threads; every method is thread-safe.
    """

    def __init__(
        self,
        ceiling: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.ceiling = max(1, int(ceiling))
        self.limit = self.ceiling
        self.backoffs = 0  # how often the server asked us to slow down
        self._clock = clock
        self._sleep = sleep
        self._resume_at = 0.0
        self._streak = 0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Before a request: hold off while the server's Retry-After runs; seconds waited."""
        with self._lock:
            delay = self._resume_at - self._clock()
        if delay <= 0:
            return 0.0
        self._sleep(delay)
        return delay

    def slow_down(self, retry_after: float | None = None) -> None:
        """The server answered 429 or 503: fewer writes in flight, and pause them all.

        Halved once per pause: the other writes that were in flight when the server
        started refusing get the same answer, and are one signal, not several.
        """
        with self._lock:
            now = self._clock()
            if now >= self._resume_at:
                self.limit = max(1, self.limit // 2)
                self.backoffs += 1
            self._streak = 0
            if retry_after:
                self._resume_at = max(self._resume_at, now + retry_after)

    def succeeded(self) -> None:
        """A write went through: after `limit` of them in a row, allow one more."""
        with self._lock:
            if self.limit >= self.ceiling:
                return
            self._streak += 1
            if self._streak >= self.limit:
                self.limit += 1
                self._streak = 0


def run_concurrently(
    writes: Iterable[Write], do: Callable[[Write], WriteResult], throttle: Throttle
) -> Iterator[WriteResult]:
    """`do(write)` on up to `throttle.limit` threads; each result is yielded when it arrives.

    `writes` is read here, in the calling thread, only when a slot is free, so a
    caller that stops producing writes (rate limited, refused credentials) stops
    the pool; the writes already in flight finish and are yielded. An exception
    other than a ProviderError (which `do` returns as a result) ends the pool
    after the writes in flight finished, and is raised here.
    """
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    source = iter(writes)
    order: dict[Future, int] = {}  # in flight -> when it was submitted
    submitted = 0
    more = True
    with ThreadPoolExecutor(
        max_workers=throttle.ceiling, thread_name_prefix="followup-sync-write"
    ) as pool:
        while True:
            while more and len(order) < throttle.limit:
                try:
                    write = next(source)
                except StopIteration:
                    more = False
                    break
                order[pool.submit(do, write)] = submitted
                submitted += 1
            if not order:
                return
            done, _ = wait(list(order), return_when=FIRST_COMPLETED)
            # Futures finishing together are handed back in the order submitted.
            for future in sorted(done, key=order.__getitem__):
                del order[future]
                result = future.result()
                if result.error is None:
                    throttle.succeeded()
                yield result
