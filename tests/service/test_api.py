"""The HTTP API, request by request: results, problems and their locations, limits."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import thbscreen
from thbscreen.service import ServiceConfig, create_app

from .conftest import ADULT, NETWORK, Client

PROBLEM = "application/problem+json"
CASE = {
    "id": "c-1",
    "indicators": {
        "deceptive_recruitment.deceived_wages": "present",
        "coercion_at_destination.confiscation_of_documents": "present",
        "coercion_at_destination.debt_bondage": "unknown",
    },
}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    doc: dict[str, Any] = response.json()
    assert doc["status"] == status
    assert doc["type"].startswith("https://thbscreen.invalid/problems/")
    assert {"type", "title", "status", "detail", "errors"} <= set(doc)
    assert "Traceback" not in response.text
    return doc


def test_screen_returns_the_assessments_json_form(
    client: Client, adult: thbscreen.Screener
) -> None:
    r = client.post("/screen", json={"rules": ADULT, "case": CASE})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == adult.evaluate(CASE).to_dict()


def test_health_carries_the_disclaimer(client: Client) -> None:
    body = client.get("/health").json()
    assert body == {
        "status": "ok",
        "version": thbscreen.__version__,
        "disclaimer": thbscreen.DISCLAIMER,
    }


def test_lists_bundled_rule_sets_and_networks(client: Client) -> None:
    rulesets = client.get("/rulesets").json()["rulesets"]
    assert [r["name"] for r in rulesets] == sorted(thbscreen.bundled_rulesets())
    adult = next(r for r in rulesets if r["name"] == ADULT)
    assert adult["indicators"] == 67
    assert adult["hash"] == thbscreen.load_ruleset(ADULT).hash
    networks = client.get("/networks").json()["networks"]
    assert [n["name"] for n in networks] == sorted(thbscreen.bundled_networks())
    assert (
        "labour_inspectorate" in next(n for n in networks if n["name"] == NETWORK)["first_contact"]
    )


def test_titles_fall_back_to_english_for_a_missing_language(client: Client) -> None:
    rows = client.get("/rulesets", params={"lang": "xx"}).json()["rulesets"]
    assert all(r["title_language"] == "en" for r in rows)
    doc = problem(client.get("/rulesets", params={"lang": "not a language"}), 422)
    assert doc["errors"][0]["path"] == "lang"


def test_batch_screens_each_case_on_its_own(client: Client, adult: thbscreen.Screener) -> None:
    bad = {"indicators": {"coercion_at_destination.debt_bondge": "present"}}
    r = client.post("/screen/batch", json={"rules": ADULT, "cases": [CASE, bad, 7]})
    body = r.json()
    assert r.status_code == 200
    assert (body["screened"], body["failed"]) == (1, 2)
    assert body["results"][0] == {"index": 0, "assessment": adult.evaluate(CASE).to_dict()}
    err = body["results"][1]["error"]
    assert (
        err["errors"][0]["path"] == "$.cases[1].indicators['coercion_at_destination.debt_bondge']"
    )
    assert "did you mean 'coercion_at_destination.debt_bondage'" in err["detail"]
    assert body["results"][2]["error"]["errors"][0]["path"] == "$.cases[2]"


def test_a_case_error_carries_its_path_line_and_column(client: Client) -> None:
    raw = (
        '{\n  "rules": "ilo-ec-2009/adult-labour",\n  "case": {\n    "indicators": {\n'
        '      "coercion_at_destination.debt_bondage": "yes"\n    }\n  }\n}\n'
    )
    doc = problem(
        client.post("/screen", content=raw, headers={"content-type": "application/json"}), 422
    )
    (err,) = doc["errors"]
    assert err["path"] == "$.case.indicators['coercion_at_destination.debt_bondage']"
    assert (err["source"], err["line"], err["column"]) == ("<request body>", 5, 48)
    assert "expected present, absent or unknown" in err["message"]
    assert doc["detail"].startswith("<request body>:5:48: $.case.indicators")
    assert "yes" not in r_text(doc)  # the value is case data


def r_text(doc: dict[str, Any]) -> str:
    return json.dumps(doc)


def test_unknown_rule_set_suggests_the_nearest_name(client: Client) -> None:
    doc = problem(
        client.post("/screen", json={"rules": "ilo-ec-2009/adult-labor", "case": {}}), 422
    )
    assert doc["type"].endswith("/unknown-name")
    assert doc["errors"][0]["path"] == "$.rules"
    assert "did you mean 'ilo-ec-2009/adult-labour'?" in doc["detail"]


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/etc/passwd", "rules/ilo-ec-2009/adult-labour.yaml", "tests/lint/clean"],
)
def test_paths_are_never_loaded(client: Client, name: str) -> None:
    doc = problem(client.post("/screen", json={"rules": name, "case": {}}), 422)
    assert doc["type"].endswith("/unknown-name")


def test_unknown_and_missing_keys_are_all_reported(client: Client) -> None:
    doc = problem(client.post("/screen", json={"rule": ADULT, "case": [], "extra": 1}), 422)
    messages = [(e["path"], e["message"]) for e in doc["errors"]]
    assert (
        "$.rule",
        "unknown key 'rule' (did you mean 'rules'?); expected rules, case, timestamp, user",
    ) in messages
    assert any(path == "$.extra" for path, _ in messages)
    assert ("$", "missing required key 'rules'") in messages
    assert ("$.case", "expected an object, got an array") in messages


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b'{"rules": "x",\n  "case": {,}}', 2, 12),
        (b"", None, None),
        (b'{"a": NaN}', None, None),
        (b"\xff\xfe", 1, 1),
        (b"[" * 100_000 + b"]" * 100_000, None, None),
    ],
)
def test_malformed_json_is_400_with_position(
    client: Client, raw: bytes, line: int | None, column: int | None
) -> None:
    app = create_app(ServiceConfig(max_body_bytes=1024 * 1024))
    doc = problem(Client(app).post("/screen", content=raw), 400)
    assert doc["type"].endswith("/malformed-json")
    assert (doc["errors"][0]["line"], doc["errors"][0]["column"]) == (line, column)


def test_duplicate_keys_are_refused_with_their_position(client: Client) -> None:
    doc = problem(client.post("/screen", content=b'{"rules": "a",\n "rules": "b"}'), 400)
    assert doc["errors"][0]["message"] == "duplicate key 'rules'"
    assert doc["errors"][0]["line"] == 2


def test_oversized_body_is_413(client: Client) -> None:
    body = json.dumps({"rules": ADULT, "case": {"id": "x" * 70_000}})
    doc = problem(
        client.post("/screen", content=body, headers={"content-type": "application/json"}), 413
    )
    assert doc["type"].endswith("/body-too-large")
    assert "the limit is 65536" in doc["detail"]


def test_oversized_body_without_length_is_413(client: Client) -> None:
    async def chunks() -> Any:
        for _ in range(100):
            yield b" " * 1024

    doc = problem(client.post("/screen", content=chunks()), 413)
    assert "more than 65536" in doc["detail"]


def test_batch_too_large_is_422(client: Client) -> None:
    doc = problem(client.post("/screen/batch", json={"rules": ADULT, "cases": [{}] * 21}), 422)
    assert doc["type"].endswith("/batch-too-large")
    assert doc["errors"][0]["path"] == "$.cases"
    assert "21 items; the limit is 20" in doc["detail"]


def test_wrong_media_type_is_415(client: Client) -> None:
    r = client.post(
        "/screen", content=b"rules=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    problem(r, 415)


def test_unknown_route_and_method_are_problems(client: Client) -> None:
    problem(client.get("/nowhere"), 404)
    r = client.get("/screen")
    problem(r, 405)
    assert r.headers["allow"] == "POST"


def test_pathway(client: Client) -> None:
    victim = {
        "facts": {"age": 34},
        "indicators": {
            "deceptive_recruitment.deceived_wages": "present",
            "deceptive_recruitment.deceived_conditions_of_work": "present",
            "exploitative_conditions_of_work.excessive_working_days_hours": "present",
            "coercion_at_destination.confiscation_of_documents": "present",
            "coercion_at_destination.debt_bondage": "present",
        },
    }
    body = {"rules": ADULT, "network": NETWORK, "case": victim, "from": "labour_inspectorate"}
    r = client.post("/pathway", json=body)
    assert r.status_code == 200, r.text
    screener = thbscreen.Screener(thbscreen.load_ruleset(ADULT))
    net = thbscreen.load_network(NETWORK)
    a = screener.evaluate(victim, allow_facts=net.fact_ids)
    expected = thbscreen.pathway(net, a, victim, start="labour_inspectorate")
    assert r.json() == {"assessment": a.to_dict(), "pathway": expected.to_dict()}
    assert r.json()["pathway"]["steps"]


def test_pathway_unknown_start_points_at_from(client: Client) -> None:
    body = {"rules": ADULT, "network": NETWORK, "case": {}, "from": "labour_inspectorat"}
    doc = problem(client.post("/pathway", json=body), 422)
    assert doc["errors"][0]["path"] == "$.from"
    assert "did you mean 'labour_inspectorate'?" in doc["detail"]


def test_pathway_bad_network_fact_points_into_the_case(client: Client) -> None:
    body = {"rules": ADULT, "network": NETWORK, "case": {"facts": {"age": "old"}}, "from": "police"}
    doc = problem(client.post("/pathway", json=body), 422)
    assert doc["errors"][0]["path"].startswith("$.case.facts")


def test_lint_posted_rule_set(client: Client) -> None:
    from pathlib import Path

    from .conftest import ADULT as _  # noqa: F401  (the fixture module is shared)

    text = (
        Path(__file__).parents[1] / "lint" / "broken" / "THB130-unreachable-band.yaml"
    ).read_text()
    body = client.post("/lint", json={"ruleset": text, "source": "mine.yaml"}).json()
    assert body["errors"] == 1
    (finding,) = body["findings"]
    assert (finding["code"], finding["source"], finding["path"]) == (
        "THB130",
        "mine.yaml",
        "$.outcomes.bands[0].when",
    )
    assert finding["line"] is not None
    broken = client.post("/lint", json={"ruleset": "id: [1,\n"}).json()
    assert broken["findings"][0]["code"] == "THB100"
    assert broken["findings"][0]["source"] == "<ruleset>"


def test_lint_refuses_oversized_expressions(client: Client) -> None:
    text = (Path(__file__).parents[1] / "lint" / "clean.yaml").read_text()
    huge = " or ".join(["a"] * 3000)
    body = client.post(
        "/lint", json={"ruleset": text.replace("positive: ", f"positive: {huge} or ", 1)}
    ).json()
    assert any("expression" in f["message"] for f in body["findings"]), body


def test_internal_errors_are_generic_problems(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret case detail")

    monkeypatch.setattr(thbscreen.Screener, "evaluate", boom)
    app = create_app()
    with caplog.at_level(logging.DEBUG):
        doc = problem(Client(app).post("/screen", json={"rules": ADULT, "case": CASE}), 500)
    assert doc["type"].endswith("/internal-error")
    assert "secret" not in json.dumps(doc)
    assert "secret" not in caplog.text
    assert "RuntimeError" in caplog.text
    assert "Traceback" not in caplog.text


def test_nothing_from_the_body_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    marker = "zz-personal-marker-zz"
    client = Client(create_app())
    with caplog.at_level(logging.DEBUG):
        client.post("/screen", json={"rules": ADULT, "case": {"id": marker, "indicators": {}}})
        client.post(
            "/screen", json={"rules": ADULT, "case": {"id": marker, "facts": {"x": marker}}}
        )
        client.post("/screen/batch", json={"rules": ADULT, "cases": [{"id": marker}, {marker: 1}]})
        client.post("/screen", content=("{" + marker).encode())
        client.post("/lint", json={"ruleset": marker})
    assert marker not in caplog.text


def test_operator_rules_dir(tmp_path: Any) -> None:
    clean = (Path(__file__).parents[1] / "lint" / "clean.yaml").read_text()
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "mine.yaml").write_text(clean)
    client = Client(create_app(ServiceConfig(rules_dir=tmp_path)))
    names = [r["name"] for r in client.get("/rulesets").json()["rulesets"]]
    assert "local/mine" in names
    assert ADULT in names
    assert client.post("/screen", json={"rules": "local/mine", "case": {}}).status_code == 200


def test_broken_operator_file_stops_start_up(tmp_path: Any) -> None:
    (tmp_path / "bad.yaml").write_text("id: x\n")
    with pytest.raises(thbscreen.RuleSetError, match=r"bad\.yaml"):
        create_app(ServiceConfig(rules_dir=tmp_path))


def test_each_app_keeps_its_own_cache() -> None:
    from thbscreen.service.catalogue import Catalogue

    a, b = Catalogue(), Catalogue()
    assert a.screener(ADULT) is a.screener(ADULT)
    assert a.screener(ADULT) is not b.screener(ADULT)


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, thbscreen, thbscreen.service; print('starlette' in sys.modules, 'uvicorn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
