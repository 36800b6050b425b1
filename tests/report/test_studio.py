"""The studio server: what it answers, what it refuses, and that it keeps nothing."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

import thbscreen
from thbscreen.report import Studio, StudioServer, studio_server
from thbscreen.report.studio import MAX_BODY, StudioInputError


@pytest.fixture(scope="module")
def server(slovenia: thbscreen.ReferralNetwork) -> Iterator[StudioServer]:
    studio = Studio(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"), slovenia)
    srv = studio_server(studio, port=0)
    srv.start_in_thread()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(
    srv: StudioServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8")
    finally:
        conn.close()


def assess(srv: StudioServer, values: dict[str, str]) -> tuple[int, str]:
    status, _, text = request(
        srv, "POST", "/assess", json.dumps(values).encode(), {"Content-Type": "application/json"}
    )
    return status, text


def outcome_of(fragment: str) -> str:
    match = re.search(r'data-outcome="([^"]+)"', fragment)
    assert match, fragment[:300]
    return match.group(1)


FARM = {
    "deceptive_recruitment.deceived_wages": "present",
    "deceptive_recruitment.deceived_conditions_of_work": "present",
    "deceptive_recruitment.deceived_housing": "present",
    "exploitative_conditions_of_work.excessive_working_days_hours": "present",
    "exploitative_conditions_of_work.low_or_no_salary": "present",
    "coercion_at_destination.confiscation_of_documents": "present",
    "coercion_at_destination.debt_bondage": "present",
}


def test_binds_to_loopback_only() -> None:
    studio = Studio(thbscreen.load_ruleset("ilo-2012/forced-labour-11"))
    for host in ("0.0.0.0", "::", "192.168.1.2", "example.org"):
        with pytest.raises(ValueError, match="this machine only"):
            studio_server(studio, host=host)
    srv = studio_server(studio, host="localhost", port=0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
        assert srv.url == f"http://127.0.0.1:{srv.port}/"
    finally:
        srv.server_close()


def test_page_has_a_labelled_radio_group_per_indicator_and_a_csp_nonce(
    server: StudioServer,
) -> None:
    status, headers, text = request(server, "GET", "/")
    assert status == 200
    csp = headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert f'<script nonce="{nonce}">' in text
    assert f'<style nonce="{nonce}">' in text
    assert text.count("<script") == 1
    assert " src=" not in text.replace("src=x", "")
    assert 'style="' not in text  # inline style attributes would break the policy
    rs = server.studio.ruleset
    assert text.count('type="radio"') == 3 * len(rs.indicators)
    for rid in re.findall(r'<input type="radio" id="([^"]+)"', text):
        assert f'<label for="{rid}">' in text
    assert text.count('<fieldset class="ind"') == len(rs.indicators)
    assert 'value="unknown" checked' in text
    assert thbscreen.DISCLAIMER in text
    # A second page gets a fresh nonce.
    _, again, _ = request(server, "GET", "/")
    assert again["Content-Security-Policy"] != csp
    assert headers["Cache-Control"] == "no-store"


def test_ticks_change_the_assessment_and_the_pathway(server: StudioServer) -> None:
    status, before = assess(server, {})
    assert status == 200
    assert outcome_of(before) == "no_indication"
    values = {f"i:{k}": v for k, v in FARM.items()}
    status, after = assess(server, {**values, "start": "labour_inspectorate", "f:age": "34"})
    assert status == 200
    assert outcome_of(after) == "victim"
    assert 'class="step"' in after
    assert "Labour Inspectorate" in after
    # Stateless: the next request without ticks is back at the start.
    assert outcome_of(assess(server, {})[1]) == "no_indication"


def test_bad_requests_get_one_clear_message(server: StudioServer) -> None:
    status, text = assess(server, {"i:no.such": "present"})
    assert status == 422
    assert 'role="alert"' in text
    assert "i:&lt;indicator id&gt;" in text
    status, text = assess(server, {"i:coercion_at_destination.debt_bondage": "maybe"})
    assert status == 422
    assert "expected present, absent or unknown" in text
    status, text = assess(server, {"f:age": "old"})
    assert status == 422
    assert "expected a whole number" in text
    status, text = assess(server, {"start": "nobody"})
    assert status == 422
    assert "expected one of police" in text
    status, _, text = request(
        server, "POST", "/assess", b"[1, 2", {"Content-Type": "application/json"}
    )
    assert status == 422
    assert "not JSON" in text
    status, _, _ = request(server, "POST", "/assess", b"{}", {"Content-Type": "text/plain"})
    assert status == 415
    big = b" " * (MAX_BODY + 1)
    status, _, _ = request(server, "POST", "/assess", big, {"Content-Type": "application/json"})
    assert status == 413
    assert request(server, "GET", "/elsewhere")[0] == 404


def test_refuses_other_host_names_and_other_sites(server: StudioServer) -> None:
    status, _, text = request(server, "GET", "/", headers={"Host": "attacker.example"})
    assert status == 421
    assert "only to 127.0.0.1" in text
    status, _, _ = request(
        server,
        "POST",
        "/assess",
        b"{}",
        {"Content-Type": "application/json", "Origin": "http://attacker.example"},
    )
    assert status == 403
    status, _, _ = request(
        server,
        "POST",
        "/assess",
        b"{}",
        {"Content-Type": "application/json", "Origin": f"http://localhost:{server.port}"},
    )
    assert status == 200


def test_form_post_without_script_keeps_the_ticks(server: StudioServer) -> None:
    body = urlencode({f"i:{k}": v for k, v in FARM.items()} | {"f:legal_status": "regular_migrant"})
    status, _, text = request(
        server, "POST", "/", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200
    assert outcome_of(text) == "victim"
    assert 'name="i:coercion_at_destination.debt_bondage" value="present" checked' in text
    assert '<option value="regular_migrant" selected>' in text


def test_nothing_is_logged(server: StudioServer, capfd: pytest.CaptureFixture[str]) -> None:
    assess(server, {f"i:{k}": v for k, v in FARM.items()})
    request(server, "GET", "/")
    request(server, "GET", "/missing")
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


def test_studio_rejects_a_start_that_is_not_a_first_contact(
    slovenia: thbscreen.ReferralNetwork,
) -> None:
    rs = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
    with pytest.raises(StudioInputError, match="expected a first-contact institution"):
        Studio(rs, slovenia, start="caritas_crisis_accommodation")
    assert Studio(rs, slovenia, start="police").start == "police"


def test_studio_without_network_offers_the_rule_sets_facts() -> None:
    rs = thbscreen.load_ruleset("ilo-icls-2018/forced-labour-statistical")
    studio = Studio(rs)
    page = studio.page(nonce="n")
    assert "<legend>Facts</legend>" in page
    for fact in rs.facts:
        assert f'name="f:{fact.id}"' in page
    assert "Referral pathway" not in page
