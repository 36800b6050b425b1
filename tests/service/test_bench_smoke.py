"""The load-test benchmark runs end to end on a tiny count (the real run is not a test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT


def test_bench_service_smoke(tmp_path: Path) -> None:
    out = tmp_path / "service.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_service.py"),
            "--requests",
            "40",
            "--batch-requests",
            "2",
            "--connections",
            "2",
            "--seconds",
            "30",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "thbscreen-bench-service/1"
    assert data["screen"]["completed"] == 40
    assert data["screen"]["error_count"] == 0
    assert data["screen"]["mismatches"] == 0
    assert data["screen"]["checked_responses"] > 0
    assert data["batch"]["completed"] == 2
    assert 0 < data["screen"]["latency_ms"]["p50"] <= data["screen"]["latency_ms"]["p99"]
    assert data["memory_kb"]["start"] is None or data["memory_kb"]["start"] > 0
    assert "requests/s" in result.stdout
