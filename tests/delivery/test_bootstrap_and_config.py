"""The bootstrap template, samconfig.toml and the deploy glue agree with each other and with template.yaml."""

from __future__ import annotations

import json
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from deploy import stack_info

from .conftest import DEPLOY, ROOT, load_cfn, tool

BOOTSTRAP = DEPLOY / "bootstrap.yaml"
STAGES = ("dev", "prod")
# Which IAM service a resource type needs when CloudFormation creates it.
SERVICE_OF_TYPE = {
    "AWS::Serverless::Function": "lambda",
    "AWS::Serverless::LayerVersion": "lambda",
    "AWS::Serverless::HttpApi": "apigateway",
}


@pytest.fixture(scope="module")
def bootstrap() -> dict[str, Any]:
    return load_cfn(BOOTSTRAP)


@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return stack_info.load_samconfig()


def _policy_actions(role: dict[str, Any]) -> list[str]:
    actions: list[str] = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            value = statement["Action"]
            actions += value if isinstance(value, list) else [value]
    return actions


def test_bootstrap_passes_cfn_lint() -> None:
    proc = subprocess.run([tool("cfn-lint"), str(BOOTSTRAP)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_deploy_role_trusts_only_this_repositorys_stage_environment(bootstrap: dict[str, Any]) -> None:
    role = bootstrap["Resources"]["GitHubDeployRole"]["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = statement["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    # An exact subject: only jobs that run in the GitHub Environment named after the stage (prod = reviewed).
    assert conditions["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${GitHubRepository}:environment:${Stage}"
    }
    assert "StringLike" not in statement["Condition"], "no wildcard subjects"
    provider = bootstrap["Resources"]["GitHubOidcProvider"]["Properties"]
    assert provider["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["ClientIdList"] == ["sts.amazonaws.com"]


def test_deploy_role_is_least_privilege(bootstrap: dict[str, Any]) -> None:
    role = bootstrap["Resources"]["GitHubDeployRole"]
    actions = _policy_actions(role)
    assert not [a for a in actions if a.endswith(":*") or a == "*"], "the deploy role has no wildcard actions"
    assert not [a for a in actions if a.startswith("iam:") and a != "iam:PassRole"]
    # It cannot create stack resources itself: CloudFormation does that with the execution role.
    assert not [a for a in actions if a.split(":")[0] in {"lambda", "ec2", "dynamodb", "sqs", "apigateway"}]
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    pass_role = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role == [
        {
            "Sid": "HandStackToExecutionRole",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": {"Fn::GetAtt": ["CloudFormationExecutionRole", "Arn"]},
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        }
    ]
    stack = next(s for s in statements if s["Sid"] == "StageStack")
    assert stack["Resource"]["Fn::Sub"].endswith(":stack/${AppName}-${Stage}/*")


def test_execution_role_covers_every_service_template_yaml_uses(bootstrap: dict[str, Any]) -> None:
    template = load_cfn(ROOT / "template.yaml")
    granted = {
        a.split(":")[0] for a in _policy_actions(bootstrap["Resources"]["CloudFormationExecutionRole"])
    }
    needed = {
        SERVICE_OF_TYPE.get(r["Type"], r["Type"].split("::")[1].lower())
        for r in template["Resources"].values()
    }
    assert needed - granted == set(), "template.yaml uses services the execution role may not create"
    assert "iam" in granted and "lambda" in granted


def test_site_publishing_scope_matches_the_stack_names(
    samconfig: dict[str, Any], bootstrap: dict[str, Any]
) -> None:
    """The deploy role may write <stack>-sitebucket-*: CloudFormation's generated name of SiteBucket."""
    template = load_cfn(ROOT / "template.yaml")
    assert "BucketName" not in template["Resources"]["SiteBucket"].get("Properties", {})
    statements = bootstrap["Resources"]["GitHubDeployRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    publish = next(s for s in statements["Statement"] if s["Sid"] == "PublishSite")
    assert publish["Resource"][0]["Fn::Sub"].endswith(":s3:::${AppName}-${Stage}-sitebucket-*")
    for stage in STAGES:
        assert stack_info.stack_name(samconfig, stage) == f"img2xlsx-{stage}"


def test_samconfig_stages_are_complete_and_match_the_bootstrap(samconfig: dict[str, Any]) -> None:
    template = load_cfn(ROOT / "template.yaml")
    image_functions = [
        name
        for name, r in template["Resources"].items()
        if r.get("Properties", {}).get("PackageType") == "Image"
    ]
    assert image_functions == ["ConvertFunction"]
    required_parameters = {name for name, p in template["Parameters"].items() if "Default" not in p}
    for stage in STAGES:
        params = stack_info.stage_parameters(samconfig, stage, "deploy")
        assert params["region"] if "region" in params else samconfig[stage]["global"]["parameters"]["region"]
        assert "resolve_s3" not in params and "resolve_image_repos" not in params
        overrides = dict(item.split("=", 1) for item in shlex.split(params["parameter_overrides"]))
        assert overrides["Stage"] == stage
        assert required_parameters <= set(overrides)
        assert set(overrides) <= set(template["Parameters"]), "an override names no template parameter"
        (repo,) = params["image_repositories"]
        name, uri = repo.split("=", 1)
        assert name in image_functions
        assert uri.endswith(f".amazonaws.com/img2xlsx-{stage}-convert")  # bootstrap.yaml's RepositoryName
        assert params["s3_bucket"].startswith(f"img2xlsx-{stage}-artifacts-")
        assert params["role_arn"].endswith(f":role/img2xlsx-{stage}-cfn-exec")
        assert "CAPABILITY_IAM" in params["capabilities"]
        accounts = set(stack_info.account_values(samconfig, stage).values())
        assert len(accounts) == 1, "one stage, one account"


def test_check_account_refuses_another_accounts_config(samconfig: dict[str, Any]) -> None:
    (account,) = set(stack_info.account_values(samconfig, "dev").values())
    stack_info.check_account(samconfig, "dev", account)
    with pytest.raises(stack_info.ConfigError, match=r"bootstrap\.sh"):
        stack_info.check_account(samconfig, "dev", "999999999999")


def test_configure_rewrites_one_stage_and_keeps_everything_else() -> None:
    text = (ROOT / "samconfig.toml").read_text()
    repo = '["ConvertFunction=210987654321.dkr.ecr.eu-west-1.amazonaws.com/img2xlsx-prod-convert"]'
    result = stack_info.configure(
        text,
        "prod",
        {
            "s3_bucket": "img2xlsx-prod-artifacts-210987654321-eu-west-1",
            "role_arn": "arn:aws:iam::210987654321:role/img2xlsx-prod-cfn-exec",
            "image_repositories": repo,
            "region": "eu-west-1",
        },
    )
    after, before = tomllib.loads(result), tomllib.loads(text)
    assert after["dev"] == before["dev"] and after["default"] == before["default"]
    assert set(stack_info.account_values(after, "prod").values()) == {"210987654321"}
    prod = after["prod"]["deploy"]["parameters"]
    assert prod["parameter_overrides"] == before["prod"]["deploy"]["parameters"]["parameter_overrides"]
    assert prod["region"] == "eu-west-1"
    assert result.count("[prod.deploy.parameters]") == 1
    assert stack_info.configure(result, "prod", {"region": "eu-west-1"}) == result  # idempotent
    with pytest.raises(stack_info.ConfigError, match=r"no \[staging\.deploy\.parameters\]"):
        stack_info.configure(text, "staging", {"region": "x"})


def test_outputs_feed_the_workflow_and_the_spa_config(tmp_path: Path) -> None:
    outputs = [
        {"OutputKey": "SiteUrl", "OutputValue": "https://d111.cloudfront.net"},
        {"OutputKey": "ApiUrl", "OutputValue": "https://d111.cloudfront.net/"},
        {"OutputKey": "SiteBucketName", "OutputValue": "img2xlsx-dev-sitebucket-abc"},
        {"OutputKey": "DistributionId", "OutputValue": "E2EXAMPLE"},
        {"OutputKey": "VpcId", "OutputValue": "vpc-1"},
    ]
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    parsed = stack_info.read_outputs(path)
    lines = stack_info.github_outputs(parsed).splitlines()
    assert lines == [
        "api_url=https://d111.cloudfront.net/",
        "site_url=https://d111.cloudfront.net",
        "site_bucket=img2xlsx-dev-sitebucket-abc",
        "distribution_id=E2EXAMPLE",
    ]
    # frontend/src/api.ts reads `apiBase` and appends /jobs; the API's routes are /api/jobs.
    assert stack_info.site_config(parsed, "dev") == {
        "apiBase": "https://d111.cloudfront.net/api",
        "stage": "dev",
    }
    assert "apiBase" in (ROOT / "frontend" / "src" / "api.ts").read_text()
    path.write_text(json.dumps(outputs[1:]))
    with pytest.raises(stack_info.ConfigError, match="SiteUrl"):
        stack_info.read_outputs(path)


def test_template_exports_every_output_the_deploy_reads() -> None:
    template = load_cfn(ROOT / "template.yaml")
    assert set(stack_info.OUTPUTS) <= set(template["Outputs"])


def test_bootstrap_script_is_shellcheck_clean() -> None:
    proc = subprocess.run(
        [tool("shellcheck"), str(DEPLOY / "bootstrap.sh")], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout
