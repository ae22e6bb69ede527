"""One process's telemetry: Prometheus metrics and a buffer of engine calls for the store.

Built once per process (the API, a worker, a CLI run) and attached to that process's engines; no module
holds a global registry, so tests and several apps in one process do not share counters.
"""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from tolk.activity import Tally
from tolk.engines.base import Call, Engine
from tolk.store import activity
from tolk.store.repo import Store

LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)


class Telemetry:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.http_requests = Counter("tolk_http_requests", "HTTP requests", ["route", "status"], registry=r)
        self.http_seconds = Histogram(
            "tolk_http_request_seconds", "HTTP request latency", ["route"], registry=r
        )
        by_model = ["engine", "model"]
        self.engine_calls = Counter("tolk_engine_calls", "Engine requests", by_model, registry=r)
        self.engine_errors = Counter(
            "tolk_engine_errors", "Engine requests that failed", by_model, registry=r
        )
        self.engine_seconds = Histogram(
            "tolk_engine_request_seconds",
            "Engine request latency",
            by_model,
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter("tolk_engine_tokens", "Tokens billed", [*by_model, "direction"], registry=r)
        self.cost = Counter("tolk_engine_cost_usd", "Estimated spend (price table)", by_model, registry=r)
        self.lookups = Counter(
            "tolk_segment_lookups", "Segments by where their text came from", ["result"], registry=r
        )
        self.grades = Counter(
            "tolk_translations", "Translations written, by grade", ["lang", "grade"], registry=r
        )
        self.queue_depth = Gauge("tolk_queue_depth", "Messages waiting in a bus queue", ["queue"], registry=r)
        self.outbox_lag = Gauge(
            "tolk_outbox_lag_seconds", "Age of the oldest due, unpublished outbox event", registry=r
        )
        self.outbox_pending = Gauge("tolk_outbox_pending", "Outbox events not yet published", registry=r)
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    # --- observers -----------------------------------------------------------------------------------

    def attach(self, *engines: Engine) -> None:
        """Observe these engines and their fallbacks (each once)."""
        for engine in (e for first in engines for e in first.chain()):
            if self.engine_call not in engine.observers:
                engine.observers.append(self.engine_call)

    def engine_call(self, call: Call) -> None:
        labels = (call.engine, call.model)
        self.engine_calls.labels(*labels).inc()
        if not call.ok:
            self.engine_errors.labels(*labels).inc()
        self.engine_seconds.labels(*labels).observe(call.seconds)
        self.tokens.labels(*labels, "in").inc(call.usage.tokens_in)
        self.tokens.labels(*labels, "out").inc(call.usage.tokens_out)
        self.cost.labels(*labels).inc(call.usage.cost)
        with self._lock:
            self._calls.append(call)

    def tally(self, t: Tally) -> None:
        for result, n in (
            ("cache", t.cache_hits),
            ("memory", t.memory_hits),
            ("engine", t.cache_misses),
            ("unchanged", t.unchanged),
        ):
            if n:
                self.lookups.labels(result).inc(n)
        if t.translated:
            self.grades.labels(t.lang, "APPROVED").inc(t.approved)
            self.grades.labels(t.lang, "MACHINE/REWRITE").inc(t.translated - t.approved)
        if t.edits:
            self.grades.labels(t.lang, "HUMAN").inc(t.edits)
        if t.approvals:
            self.grades.labels(t.lang, "APPROVED").inc(t.approvals)

    def flush(self, store: Store) -> None:
        """Write the engine calls seen so far (after each commit, and at the end of a request)."""
        with self._lock:
            calls, self._calls = self._calls, []
        activity.record_calls(store, calls)
