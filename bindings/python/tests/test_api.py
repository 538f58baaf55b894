"""Behaviour of the typed API beyond the vectors: boundaries, threads, installation."""

from __future__ import annotations

import json
import os
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import fleetup


def test_runs_against_the_installed_package() -> None:
    installed = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert installed in Path(fleetup.__file__).resolve().parents, fleetup.__file__
    assert fleetup.__version__ == fleetup.library_version()


def test_lone_surrogates_are_invalid_utf8() -> None:
    with pytest.raises(fleetup.InvalidUtf8Error) as info:
        fleetup.compare("1.2.3\ud800", "1.2.3")
    assert info.value.path == "/a"
    with pytest.raises(fleetup.InvalidUtf8Error):
        fleetup.satisfies("1.2.3", "\udfff")


def test_empty_strings_cross_as_null_zero() -> None:
    with pytest.raises(fleetup.InvalidVersionError):
        fleetup.compare("", "1.0.0")
    assert fleetup.satisfies("", "*") is False


def test_raw_call_reports_problems_in_the_envelope() -> None:
    for raw, code in [(b"", "INVALID_JSON"), (b"{op}", "INVALID_JSON"), (b"\xc0\xaf", "INVALID_UTF8"), (b"[]", "INVALID_ARGUMENT")]:
        assert json.loads(fleetup.call_bytes(raw))["error"]["code"] == code


def test_dry_run_reports_bad_documents_with_paths() -> None:
    with pytest.raises(fleetup.InvalidJsonError) as info:
        fleetup.dry_run('{"name": ', {})
    assert info.value.path == "/package_policy"
    with pytest.raises(fleetup.InvalidUtf8Error) as info2:
        fleetup.dry_run({}, b"\xff")
    assert info2.value.path == "/package_info"


def test_plan_accepts_only_plan_operations() -> None:
    with pytest.raises(fleetup.InvalidArgumentError) as info:
        fleetup.plan("semver.valid", version="1.2.3")
    assert info.value.path == "/op"
    with pytest.raises(fleetup.UnknownOpError):
        fleetup.plan("plan.no_such_plan")


# Under valgrind (FLEETUP_TEST_LIGHT=1) every call is ~50x slower; fewer rounds still interleave.
ROUNDS = 20 if os.environ.get("FLEETUP_TEST_LIGHT") else 300


def test_many_threads_at_once() -> None:
    def work(t: int) -> int:
        hits = 0
        for i in range(ROUNDS):
            v = f"1.{t}.{i}"
            hits += fleetup.satisfies(v, "^1.0.0")
            assert fleetup.compare(v, "1.0.0") == (1 if (t or i) else 0)
            with pytest.raises(fleetup.UnknownOpError):
                fleetup.call(f"nope.{i}")
        return hits

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(work, range(8))) == [ROUNDS] * 8


def test_plan_returns_the_operation_result() -> None:
    policy = {"name": "web-1", "package": {"name": "acme_web", "version": "1.4.0"}, "inputs": []}
    result = fleetup.plan(
        "plan.changes", current=policy, proposed=policy, package_info={"name": "acme_web", "version": "1.4.0"}
    )
    assert result["changes"] == []


def test_dry_run_on_the_bundled_example() -> None:
    from conftest import REPO

    policies = json.loads((REPO / "examples" / "policies.json").read_text(encoding="utf-8"))["items"]
    info = fleetup.call("package.load", path=str(REPO / "examples" / "packages" / "acme_web-2.0.0"))
    assert policies
    for policy in policies:
        result = fleetup.dry_run(policy, info)
        generic = fleetup.call("fleet.upgrade_dry_run", package_policy=policy, package_info=info)
        assert result.raw == generic
        assert result.name == policy["name"]
        assert [result.current, result.proposed] == generic["diff"]
        assert result.has_errors is generic["hasErrors"]
        assert result.changes == generic["changes"]
        # Text and bytes inputs give the same answer as Python values.
        assert fleetup.dry_run(json.dumps(policy), json.dumps(info).encode()).raw == generic


def test_agent_diff_and_standalone_on_the_bundled_example() -> None:
    from conftest import REPO

    old_dir = str(REPO / "examples" / "packages" / "acme_web-1.4.0")
    new_dir = str(REPO / "examples" / "packages" / "acme_web-2.0.0")
    policy = json.loads((REPO / "examples" / "policies.json").read_text(encoding="utf-8"))["items"][0]
    old, new = fleetup.call("package.load", path=old_dir), fleetup.call("package.load", path=new_dir)
    old_t, new_t = fleetup.agent_templates(old_dir), fleetup.agent_templates(new_dir)
    assert any(path.endswith(".hbs") for path in new_t)
    proposed = fleetup.dry_run(policy, new).proposed
    diff = fleetup.agent_diff(
        policy,
        proposed,
        new,
        agent_templates=new_t,
        current_package_info=old,
        current_agent_templates=old_t,
    )
    generic = fleetup.call(
        "agent.diff",
        current=policy,
        proposed=proposed,
        package_info=new,
        agent_templates=new_t,
        current_package_info=old,
        current_agent_templates=old_t,
    )
    assert diff.changes == generic["changes"] and diff.unified == generic["unified"]
    assert any(c["kind"] == "key_added" and c["path"] == "/exclude_files" for c in diff.changes)
    assert diff.unified.startswith("--- acme_web 1.4.0")
    yaml = fleetup.standalone_inputs(policy, old, old_t)
    assert yaml.startswith("inputs:\n") and "use_output: default" in yaml
    # A missing template is a TemplateError with Kibana's message.
    with pytest.raises(fleetup.TemplateError, match="Unable to load stream template"):
        fleetup.standalone_inputs(policy, old, {})
