"""The pipeline's promises: linted workflows, Gitflow triggers, OIDC-only AWS access, gated prod, no keys."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import yaml

from .conftest import ROOT, WORKFLOWS, tool

SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses:\s*(\S+)\s+#\s*v\d+(\.\d+){0,2}\s*$")


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_is_clean_including_shell_steps() -> None:
    tool("shellcheck")  # without it actionlint silently skips every `run:` script
    proc = subprocess.run(
        [tool("actionlint"), "-verbose"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Rule "shellcheck" was disabled' not in proc.stderr
    linted = re.findall(r"Linting (\S+\.ya?ml)", proc.stderr)
    assert len(linted) == len(list(WORKFLOWS.glob("*.yml"))) >= 3


def test_workflows_match_the_vendored_github_workflow_schema() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    proc = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_runs_on_pull_requests_and_every_gitflow_branch(workflows: dict[str, Any]) -> None:
    on = workflows["ci.yml"]["on"]
    assert "pull_request" in on
    assert set(on["push"]["branches"]) == {"main", "develop", "feature/**", "release/**", "hotfix/**"}
    assert "workflow_call" in on, "deploy.yml reuses CI as its gate"


def test_ci_covers_lint_tests_sam_frontend_and_the_image(workflows: dict[str, Any]) -> None:
    runs = "\n".join(str(step.get("run", "")) for step in _steps(workflows["ci.yml"]))
    for command in (
        "ruff check",
        "mypy",
        "actionlint",
        "npm run typecheck",
        "bash .ci/run",
        "sam validate --lint",
        "npm run build",
        "docker build",
        "deploy/image_smoke.py",
    ):
        assert command in runs, f"ci.yml never runs {command!r}"


def test_deploy_maps_develop_to_dev_and_main_or_tags_to_prod(workflows: dict[str, Any]) -> None:
    deploy = workflows["deploy.yml"]
    push = deploy["on"]["push"]
    assert set(push["branches"]) == {"develop", "main"}
    assert push["tags"] == ["v*.*.*"]
    jobs = deploy["jobs"]
    assert jobs["dev"]["with"]["stage"] == "dev" and jobs["prod"]["with"]["stage"] == "prod"
    assert "refs/heads/develop" in jobs["dev"]["if"] and "refs/heads/main" not in jobs["dev"]["if"]
    assert "refs/heads/main" in jobs["prod"]["if"] and "refs/tags/v" in jobs["prod"]["if"]
    assert "refs/heads/develop" not in jobs["prod"]["if"]
    for stage in ("dev", "prod"):
        assert jobs[stage]["needs"] == "ci", f"{stage} must wait for the CI gate"
        assert jobs[stage]["uses"] == "./.github/workflows/deploy-stage.yml"
    assert jobs["ci"]["uses"] == "./.github/workflows/ci.yml"


def test_only_deploy_jobs_may_mint_oidc_tokens(workflows: dict[str, Any]) -> None:
    for name, workflow in workflows.items():
        assert workflow["permissions"] == {"contents": "read"} or name == "deploy-stage.yml", name
    assert workflows["deploy-stage.yml"]["permissions"] == {"contents": "read", "id-token": "write"}
    for stage in ("dev", "prod"):
        assert workflows["deploy.yml"]["jobs"][stage]["permissions"]["id-token"] == "write"
    for job in workflows["ci.yml"]["jobs"].values():
        assert "id-token" not in job.get("permissions", {})


def test_stage_job_runs_in_the_stage_environment_one_at_a_time(workflows: dict[str, Any]) -> None:
    job = workflows["deploy-stage.yml"]["jobs"]["deploy"]
    assert job["environment"]["name"] == "${{ inputs.stage }}"
    assert job["concurrency"] == {"group": "deploy-${{ inputs.stage }}", "cancel-in-progress": False}


def test_aws_access_is_oidc_with_the_environment_role(workflows: dict[str, Any]) -> None:
    steps = _steps(workflows["deploy-stage.yml"])
    creds = [s for s in steps if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")]
    assert len(creds) == 1
    assert set(creds[0]["with"]) == {"role-to-assume", "role-session-name", "aws-region"}
    assert creds[0]["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    names = [str(s.get("run", "")) for s in steps]
    order = [
        next(i for i, run in enumerate(names) if marker in run)
        for marker in ("sam build", "sam deploy --config-env", "s3 sync", "create-invalidation", "smoke.py")
    ]
    assert order == sorted(order), "deploy order: build, deploy, publish SPA, invalidate, smoke test"
    assert steps.index(creds[0]) < order[0]


def test_no_static_aws_keys_anywhere_in_github() -> None:
    forbidden = re.compile(
        r"aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN"
        r"|secrets\.AWS|\bAKIA[0-9A-Z]{16}\b|\bASIA[0-9A-Z]{16}\b",
    )
    for path in (ROOT / ".github").rglob("*"):
        if path.is_file():
            hits = forbidden.findall(path.read_text())
            assert not hits, f"{path.relative_to(ROOT)} mentions static credentials: {hits}"


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            if "uses:" not in line or "uses: ./" in line:
                continue
            ref = line.split("uses:", 1)[1].split("#")[0].strip()
            assert SHA_PIN.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
            assert VERSION_COMMENT.search(line), f"{path.name}: {ref} lacks its '# vX.Y.Z' comment"
            action, sha = ref.split("@")
            pins.setdefault(action, set()).add(sha)
    assert {"actions/checkout", "aws-actions/configure-aws-credentials"} <= set(pins)
    assert all(len(shas) == 1 for shas in pins.values()), f"one action, several pins: {pins}"


def test_dependabot_keeps_the_pins_current() -> None:
    path = ROOT / ".github" / "dependabot.yml"
    proc = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ecosystems = {u["package-ecosystem"]: u for u in yaml.safe_load(path.read_text())["updates"]}
    assert ecosystems["github-actions"]["target-branch"] == "develop"


def test_readme_deploy_section_names_only_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Deploy\n", 1)[1].split("\n## ", 1)[0]
    for heading in ("Prerequisites", "Branch model", "bootstrap", "What the workflows do", "Rolling back"):
        assert re.search(rf"^### .*{heading}", section, re.MULTILINE), f"README Deploy lacks '{heading}'"
    paths = set(re.findall(r"`((?:deploy|\.github/workflows|events)/[\w./-]+)`", section))
    paths |= {f".github/workflows/{name}" for name in re.findall(r"`([\w-]+\.yml)`", section)}
    assert len(paths) >= 8
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"README Deploy names files that do not exist: {missing}"
    for variable in ("AWS_DEPLOY_ROLE_ARN", "AWS_REGION"):
        assert variable in section and f"vars.{variable}" in (WORKFLOWS / "deploy-stage.yml").read_text()


def test_the_site_is_published_without_source_maps(workflows: dict[str, Any]) -> None:
    """Source maps reveal the sources; production never serves them (issue 13): the sync skips them and
    removes any an older deploy left behind (sync --delete leaves excluded files alone)."""
    runs = [str(step.get("run", "")) for step in _steps(workflows["deploy-stage.yml"])]
    (publish,) = [r for r in runs if 'aws s3 sync frontend/dist "s3://$SITE_BUCKET"' in r]
    sync = publish[publish.index("aws s3 sync") :].split("aws s3", 2)[1]
    assert '--exclude "*.map"' in sync
    assert 'aws s3 rm "s3://$SITE_BUCKET" --recursive --exclude "*" --include "*.map"' in publish
    copies = re.findall(r"aws s3 cp (\S+)", publish)
    assert copies and not any(src.endswith(".map") for src in copies)
