"""The service's audit log: one record per assessment, verifiable, never the case."""

from __future__ import annotations

from pathlib import Path

import thbscreen
from thbscreen.audit import AuditLog, read_log, verify
from thbscreen.service import ServiceConfig, create_app

from .conftest import ADULT, NETWORK, Client

SALT = b"a-salt-for-the-service-tests-0123456789"
CASE = {"id": "s1", "indicators": {"coercion_at_destination.debt_bondage": "present"}}


def test_each_assessment_is_logged_with_the_callers_timestamp(tmp_path: Path) -> None:
    log_path = tmp_path / "audit.jsonl"
    client = Client(create_app(ServiceConfig(audit=AuditLog(log_path, salt=SALT))))
    one = client.post(
        "/screen", json={"rules": ADULT, "case": CASE, "timestamp": "2024-06-01T08:00:00Z",
                         "user": "w-9"},
    )  # fmt: skip
    assert one.status_code == 200
    batch = client.post("/screen/batch", json={"rules": ADULT, "cases": [CASE, {"x": 1}, CASE]})
    assert batch.status_code == 200
    path = client.post(
        "/pathway", json={"rules": ADULT, "network": NETWORK, "case": CASE, "from": "police"}
    )
    assert path.status_code == 200
    records = list(read_log(log_path))
    # One for /screen, two for the good batch cases (not the refused one), one for /pathway.
    assert len(records) == 4
    assert (records[0].timestamp, records[0].user) == ("2024-06-01T08:00:00Z", "w-9")
    assert records[1].user is None
    assert "debt_bondage" not in log_path.read_text(encoding="utf-8")
    screener = thbscreen.Screener(thbscreen.load_ruleset(ADULT))
    assert verify(records[0], CASE, screener, salt=SALT).matches


def test_a_bad_timestamp_is_the_callers_error(tmp_path: Path) -> None:
    log_path = tmp_path / "audit.jsonl"
    client = Client(create_app(ServiceConfig(audit=AuditLog(log_path, salt=SALT))))
    bad = client.post("/screen", json={"rules": ADULT, "case": CASE, "timestamp": "yesterday"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert not log_path.exists() or log_path.read_text(encoding="utf-8") == ""


def test_without_a_log_nothing_is_written(tmp_path: Path, client: Client) -> None:
    ok = client.post("/screen", json={"rules": ADULT, "case": CASE, "user": "w-1"})
    assert ok.status_code == 200
    assert list(tmp_path.iterdir()) == []
