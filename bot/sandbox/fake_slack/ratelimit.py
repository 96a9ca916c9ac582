"""Per-method rate limits as Slack applies them ("per API method per workspace per app")."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

_WINDOW = 60.0


class RateLimiter:
    """Sliding one-minute windows per method, plus chat.postMessage's per-channel token bucket.

    A sliding window lets bursts through up to the per-minute figure, which matches the docs'
    "occasional bursts" wording better than a fixed spacing between calls would. A tier with a ``burst``
    (Tier1: "1+ per minute", "a small amount of burst behavior is tolerated") is a token bucket instead:
    ``burst`` calls at once, refilled at the per-minute rate.
    """

    def __init__(self, tiers: Mapping[str, Any], method_tiers: Mapping[str, str]) -> None:
        """Create a limiter.

        Args:
            tiers: The contract's ``rate_limit_tiers`` table.
            method_tiers: Method name -> tier name.
        """
        self._tiers = tiers
        self._method_tiers = method_tiers
        self._windows: dict[str, deque[float]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, last refill time)
        self._method_buckets: dict[str, tuple[float, float]] = {}  # method -> (tokens, last refill time)

    def reset(self) -> None:
        """Forget all past calls."""
        self._windows.clear()
        self._buckets.clear()
        self._method_buckets.clear()

    def check(self, method: str, now: float, *, channel: str | None = None) -> int | None:
        """Count a call, or refuse it.

        Args:
            method: Web API method.
            now: Current time in seconds.
            channel: For chat.postMessage, the channel posted to.

        Returns:
            ``None`` when the call is allowed (and counted), else the Retry-After seconds.
        """
        tier = self._tiers.get(self._method_tiers.get(method, ""), {})
        if "burst" in tier:
            return self._method_bucket(method, tier, now)
        retry_after = self._bucket_retry(tier, channel, now) if channel is not None else None
        window = self._windows.setdefault(method, deque())
        while window and window[0] <= now - _WINDOW:
            window.popleft()
        per_minute = tier.get("per_minute")
        if per_minute is not None and len(window) >= per_minute:
            window_retry = max(1, math.ceil(window[0] + _WINDOW - now))
            retry_after = max(retry_after or 0, window_retry)
        if retry_after is not None:
            return retry_after
        window.append(now)
        if channel is not None and "per_channel_per_second" in tier:
            tokens, _ = self._buckets[channel]
            self._buckets[channel] = (tokens - 1, now)
        return None

    def _bucket_retry(self, tier: Mapping[str, Any], channel: str, now: float) -> int | None:
        rate = tier.get("per_channel_per_second")
        if rate is None:
            return None
        burst = float(tier.get("per_channel_burst", 1))
        tokens, last = self._buckets.get(channel, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        self._buckets[channel] = (tokens, now)
        if tokens >= 1:
            return None
        return max(1, math.ceil((1 - tokens) / rate))

    def _method_bucket(self, method: str, tier: Mapping[str, Any], now: float) -> int | None:
        burst = float(tier["burst"])
        rate = float(tier["per_minute"]) / _WINDOW
        tokens, last = self._method_buckets.get(method, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            self._method_buckets[method] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / rate))
        self._method_buckets[method] = (tokens - 1, now)
        return None
