#!/usr/bin/env python3
"""Load test of ``thbscreen serve`` on loopback: throughput, latency, errors, memory.

Usage::

    python benchmarks/bench_service.py [--requests N] [--seconds T] [--connections C]
                                       [--json OUT]

The service runs in a child process (uvicorn, one worker, default limits) on a socket
this script binds to 127.0.0.1 on an ephemeral port and hands over; this process is the
client. C threads, each with its own keep-alive connection (``http.client``), send
``POST /screen`` requests with seeded synthetic cases (no real case data) for the
``ilo-ec-2009/adult-labour`` rule set until N requests are done or T seconds have passed,
whichever is first. After a warm-up (not timed), it reports:

* throughput (requests per second over the timed run) and latency percentiles (p50, p90,
  p99, max) of each request, measured by the client from sending to the full response;
* errors: any response that is not 200, any connection error, and any sampled response
  that differs from ``Screener.evaluate(case).to_dict()`` in this process;
* the server's resident memory (``VmRSS`` from ``/proc/<pid>/status``), sampled every
  0.25 s: at the start, in the middle and at the end of the timed run, and the peak;
  "memory flat" means the end is within 10 % (and 20 MB) of the start;
* a shorter second phase with ``POST /screen/batch`` (100 cases a request): cases per
  second.

Targets are reported, never enforced: no errors, memory flat. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

RULESET = "ilo-ec-2009/adult-labour"
SEED = 20241207
DISTINCT_CASES = 500
BATCH_SIZE = 100
RATES = (0.15, 0.35, 0.10)  # present, absent, unknown; the rest left out
# uvicorn's own fd= option takes the socket for a Unix one, and asyncio then leaves
# Nagle's algorithm on: every response would wait for a delayed ACK (about 40 ms). So the
# child wraps the inherited descriptor as the TCP socket it is, as `thbscreen serve` has.
SERVER = """
import socket, sys, uvicorn
from thbscreen.service import create_app
sock = socket.socket(fileno=int(sys.argv[1]))
config = uvicorn.Config(create_app(), log_level="warning", access_log=False)
uvicorn.Server(config).run(sockets=[sock])
"""


def make_cases(n: int, seed: int) -> list[dict[str, Any]]:
    import thbscreen

    ids = [i.id for i in thbscreen.load_ruleset(RULESET).indicators]
    rng = random.Random(seed)
    out = []
    for k in range(n):
        indicators = {}
        for ind in ids:
            r = rng.random()
            if r < RATES[0]:
                indicators[ind] = "present"
            elif r < RATES[0] + RATES[1]:
                indicators[ind] = "absent"
            elif r < sum(RATES):
                indicators[ind] = "unknown"
        out.append({"id": f"synthetic-{k}", "indicators": indicators})
    return out


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    """The service in a child process, on a loopback socket bound here."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        fd = self.sock.fileno()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(fd)], pass_fds=(fd,), stdin=subprocess.DEVNULL
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited with {self.proc.returncode}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        raise RuntimeError("the service did not answer /health in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()


def drive(
    port: int,
    path: str,
    bodies: list[bytes],
    total: int,
    seconds: float,
    connections: int,
    on_progress: Any = None,
) -> dict[str, Any]:
    """Send ``total`` requests (or for ``seconds``) over ``connections`` threads."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[list[int]] = [[] for _ in range(connections)]
    errors: list[str] = []
    responses: dict[int, bytes] = {}
    deadline = time.monotonic() + seconds

    def worker(w: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[w]
        while time.monotonic() < deadline:
            with lock:
                k = state["next"]
                if k >= total:
                    break
                state["next"] = k + 1
            body = bodies[k % len(bodies)]
            t0 = time.perf_counter_ns()
            try:
                conn.request("POST", path, body, {"content-type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter_ns() - t0)
            if response.status != 200:
                errors.append(f"status {response.status}")
            elif k < len(bodies):  # keep one answer per distinct body, to check
                responses[k] = data
            if on_progress is not None and w == 0:
                on_progress(state["next"])
        conn.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(connections)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = sorted(x for lat in latencies for x in lat)
    return {"elapsed_s": elapsed, "latencies_ns": flat, "errors": errors, "responses": responses}


def percentile(sorted_ns: list[int], q: float) -> float:
    if not sorted_ns:
        return float("nan")
    k = min(len(sorted_ns) - 1, max(0, round(q * (len(sorted_ns) - 1))))
    return sorted_ns[k] / 1e6


def _environment() -> dict[str, Any]:
    versions = {}
    for pkg in ("thbscreen", "starlette", "uvicorn", "attrs", "cattrs"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "packages": versions,
    }


def run(requests: int, seconds: float, connections: int, batch_requests: int) -> dict[str, Any]:
    import thbscreen

    cases = make_cases(DISTINCT_CASES, SEED)
    bodies = [json.dumps({"rules": RULESET, "case": c}).encode() for c in cases]
    server = Server()
    try:
        server.wait_ready()
        warm = drive(server.port, "/screen", bodies, min(len(bodies), 500), 60, connections)
        if warm["errors"]:
            raise RuntimeError(f"errors during warm-up: {warm['errors'][:5]}")
        samples: list[tuple[float, int]] = []
        stop = threading.Event()
        t_start = time.perf_counter()

        def sample() -> None:
            while not stop.is_set():
                kb = rss_kb(server.proc.pid)
                if kb is not None:
                    samples.append((time.perf_counter() - t_start, kb))
                stop.wait(0.25)

        rss_start = rss_kb(server.proc.pid)
        middle: dict[str, int | None] = {}

        def progress(done: int) -> None:
            if "kb" not in middle and done >= requests // 2:
                middle["kb"] = rss_kb(server.proc.pid)

        sampler = threading.Thread(target=sample)
        sampler.start()
        main = drive(server.port, "/screen", bodies, requests, seconds, connections, progress)
        rss_end = rss_kb(server.proc.pid)
        stop.set()
        sampler.join()

        # Correctness: every distinct answer seen equals the library's own.
        screener = thbscreen.Screener(thbscreen.load_ruleset(RULESET))
        mismatches = sum(
            1
            for k, data in {**warm["responses"], **main["responses"]}.items()
            if json.loads(data) != screener.evaluate(cases[k]).to_dict()
        )

        batch_bodies = [
            json.dumps({"rules": RULESET, "cases": cases[i : i + BATCH_SIZE]}).encode()
            for i in range(0, len(cases), BATCH_SIZE)
        ]
        batch = drive(
            server.port, "/screen/batch", batch_bodies, batch_requests, seconds, connections
        )
    finally:
        server.stop()

    lat = main["latencies_ns"]
    done = len(lat)
    errors = len(main["errors"]) + mismatches + len(batch["errors"])
    peak = max((kb for _, kb in samples), default=None)
    flat = (
        rss_start is not None
        and rss_end is not None
        and rss_end - rss_start <= max(0.10 * rss_start, 20 * 1024)
    )
    batch_done = len(batch["latencies_ns"])
    return {
        "format": "thbscreen-bench-service/1",
        "environment": _environment(),
        "config": {
            "ruleset": RULESET,
            "requests": requests,
            "seconds_cap": seconds,
            "connections": connections,
            "distinct_cases": DISTINCT_CASES,
            "seed": SEED,
            "rates_present_absent_unknown": list(RATES),
        },
        "screen": {
            "completed": done,
            "elapsed_s": main["elapsed_s"],
            "requests_per_s": done / main["elapsed_s"] if main["elapsed_s"] else 0.0,
            "latency_ms": {
                "p50": percentile(lat, 0.50),
                "p90": percentile(lat, 0.90),
                "p99": percentile(lat, 0.99),
                "max": percentile(lat, 1.0),
                "mean": statistics.fmean(lat) / 1e6 if lat else float("nan"),
            },
            "errors": main["errors"][:20],
            "error_count": len(main["errors"]),
            "checked_responses": len({**warm["responses"], **main["responses"]}),
            "mismatches": mismatches,
        },
        "batch": {
            "cases_per_request": BATCH_SIZE,
            "completed": batch_done,
            "elapsed_s": batch["elapsed_s"],
            "cases_per_s": batch_done * BATCH_SIZE / batch["elapsed_s"]
            if batch["elapsed_s"]
            else 0.0,
            "latency_ms": {
                "p50": percentile(batch["latencies_ns"], 0.5),
                "p99": percentile(batch["latencies_ns"], 0.99),
            },
            "error_count": len(batch["errors"]),
        },
        "memory_kb": {
            "start": rss_start,
            "middle": middle.get("kb"),
            "end": rss_end,
            "peak": peak,
            "samples": [[round(t, 2), kb] for t, kb in samples],
        },
        "targets": {
            "no_errors": {"met": errors == 0, "errors": errors},
            "memory_flat": {"met": bool(flat), "rule": "end - start <= max(10% of start, 20 MB)"},
        },
    }


def report(r: dict[str, Any]) -> str:
    s, b, m = r["screen"], r["batch"], r["memory_kb"]
    lat = s["latency_ms"]

    def mb(kb: int | None) -> str:
        return "n/a" if kb is None else f"{kb / 1024:.1f} MB"

    lines = [
        f"POST /screen: {s['completed']} requests in {s['elapsed_s']:.2f} s over "
        f"{r['config']['connections']} connections: {s['requests_per_s']:.0f} requests/s",
        f"  latency ms: p50 {lat['p50']:.2f}  p90 {lat['p90']:.2f}  p99 {lat['p99']:.2f}  "
        f"max {lat['max']:.2f}",
        f"  errors {s['error_count']}; responses checked against Screener.evaluate: "
        f"{s['checked_responses']}, mismatches {s['mismatches']}",
        f"POST /screen/batch ({b['cases_per_request']} cases): {b['completed']} requests, "
        f"{b['cases_per_s']:.0f} cases/s, p50 {b['latency_ms']['p50']:.1f} ms; errors "
        f"{b['error_count']}",
        f"server RSS: start {mb(m['start'])}, middle {mb(m['middle'])}, end {mb(m['end'])}, "
        f"peak {mb(m['peak'])}",
    ]
    for name, t in r["targets"].items():
        lines.append(f"target {name}: {'met' if t['met'] else 'MISSED'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=20_000, help="POST /screen requests (default 20000)"
    )
    parser.add_argument(
        "--seconds", type=float, default=120.0, help="time cap per phase (default 120)"
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="concurrent connections (default 4)"
    )
    parser.add_argument(
        "--batch-requests", type=int, default=200, help="POST /screen/batch requests (default 200)"
    )
    parser.add_argument("--json", metavar="OUT", help="write every measurement here (atomically)")
    args = parser.parse_args(argv)
    if min(args.requests, args.connections, args.batch_requests) < 1 or args.seconds <= 0:
        parser.error("counts and --seconds must be positive")
    result = run(args.requests, args.seconds, args.connections, args.batch_requests)
    print(report(result))
    if args.json:
        from thbscreen._io import write_atomic

        write_atomic(Path(args.json), json.dumps(result, indent=2, allow_nan=True) + "\n")
    return 0 if result["targets"]["no_errors"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
