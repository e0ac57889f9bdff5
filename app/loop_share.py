"""A share of the event loop's time, as a token bucket: work that runs on the loop only while the bucket
holds time cannot take more than the share, however much of it arrives."""

from __future__ import annotations

import time


class LoopShare:
    """At most `share` of the loop's time (0..1) over any stretch, in bursts of at most `burst_s`."""

    __slots__ = ("_at", "_left_s", "burst_s", "share")

    def __init__(self, share: float, burst_s: float) -> None:
        self.share = share
        self.burst_s = burst_s
        self._left_s = burst_s
        self._at = time.perf_counter()

    def _refill(self) -> None:
        now = time.perf_counter()
        self._left_s = min(self.burst_s, self._left_s + (now - self._at) * self.share)
        self._at = now

    def allows(self) -> bool:
        """Whether there is time left for one more piece of work now."""
        self._refill()
        return self._left_s > 0

    def spend(self, seconds: float) -> None:
        """Count `seconds` of the loop's time as used (the bucket may go below empty: it refills first)."""
        # Refilled up to now first: the time before this spend must not pay for it after an idle stretch.
        self._refill()
        self._left_s -= seconds
