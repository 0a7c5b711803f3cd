"""Prometheus text-format metrics kept in memory by one server process."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OTHER_METHOD = "other"  # unknown method names share one label, so labels stay bounded


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        self.total += 1
        self.sum += seconds
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.counts[i] += 1


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass
class Metrics:
    """Counters and histograms for one process; ``render`` adds database gauges."""

    known_methods: frozenset[str] = frozenset()
    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    latency: defaultdict[str, _Histogram] = field(default_factory=lambda: defaultdict(_Histogram))
    open_connections: int = 0
    pushes: int = 0

    def method_label(self, method: str) -> str:
        return method if method in self.known_methods else OTHER_METHOD

    def observe(self, method: str, seconds: float, error_code: int | None) -> None:
        label = self.method_label(method)
        self.requests[label] += 1
        self.latency[label].observe(seconds)
        if error_code is not None:
            self.errors[error_code] += 1

    def error(self, code: int) -> None:
        self.errors[code] += 1

    def render(self, active_holds: int, bookings: dict[str, int]) -> str:
        out = [
            "# HELP rft_rpc_requests_total JSON-RPC requests handled, by method.",
            "# TYPE rft_rpc_requests_total counter",
        ]
        for method, n in sorted(self.requests.items()):
            out.append(f'rft_rpc_requests_total{{method="{_label(method)}"}} {n}')
        out += [
            "# HELP rft_rpc_request_duration_seconds JSON-RPC request latency, by method.",
            "# TYPE rft_rpc_request_duration_seconds histogram",
        ]
        for method, hist in sorted(self.latency.items()):
            m = _label(method)
            for bound, n in zip(BUCKETS, hist.counts, strict=True):
                out.append(
                    f'rft_rpc_request_duration_seconds_bucket{{method="{m}",le="{bound}"}} {n}'
                )
            out.append(
                f'rft_rpc_request_duration_seconds_bucket{{method="{m}",le="+Inf"}} {hist.total}'
            )
            out.append(f'rft_rpc_request_duration_seconds_sum{{method="{m}"}} {hist.sum:.6f}')
            out.append(f'rft_rpc_request_duration_seconds_count{{method="{m}"}} {hist.total}')
        out += [
            "# HELP rft_rpc_errors_total JSON-RPC error responses, by error code.",
            "# TYPE rft_rpc_errors_total counter",
        ]
        for code, n in sorted(self.errors.items()):
            out.append(f'rft_rpc_errors_total{{code="{code}"}} {n}')
        out += [
            "# HELP rft_ws_connections_open WebSocket connections open now.",
            "# TYPE rft_ws_connections_open gauge",
            f"rft_ws_connections_open {self.open_connections}",
            "# HELP rft_feed_pushes_total Change-feed push notifications sent.",
            "# TYPE rft_feed_pushes_total counter",
            f"rft_feed_pushes_total {self.pushes}",
            "# HELP rft_holds_active Seat holds active now.",
            "# TYPE rft_holds_active gauge",
            f"rft_holds_active {active_holds}",
            "# HELP rft_bookings Bookings in the database, by status.",
            "# TYPE rft_bookings gauge",
        ]
        for status, n in sorted(bookings.items()):
            out.append(f'rft_bookings{{status="{_label(status)}"}} {n}')
        return "\n".join(out) + "\n"
