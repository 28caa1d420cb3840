#!/usr/bin/env python3
"""Small, testable glue between samconfig.toml, the CloudFormation stack outputs and the deploy workflow.

Standard library only (it runs on a bare GitHub runner). Subcommands:

    stack-name STAGE                  the stage's stack name from samconfig.toml
    check-account STAGE ACCOUNT       fail unless samconfig.toml's account-specific values belong to ACCOUNT
    github-outputs OUTPUTS.json       api_url=, site_url=, site_bucket=, distribution_id= for $GITHUB_OUTPUT
    site-config OUTPUTS.json STAGE    the SPA's config.json (what the browser needs to find the API)
    configure STAGE KEY=VALUE...      set deploy parameters of STAGE in samconfig.toml (used by bootstrap.sh)

OUTPUTS.json is ``aws cloudformation describe-stacks --query 'Stacks[0].Outputs'``.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMCONFIG = ROOT / "samconfig.toml"

# Stack output -> workflow output. Every one is required: a deploy without it cannot publish or test the site.
OUTPUTS = {
    "ApiUrl": "api_url",
    "SiteUrl": "site_url",
    "SiteBucketName": "site_bucket",
    "DistributionId": "distribution_id",
}
ACCOUNT_IN = re.compile(r"(?<![0-9])([0-9]{12})(?![0-9])")


class ConfigError(Exception):
    """samconfig.toml or the stack outputs are not what a deploy needs; the message says how to fix it."""


def load_samconfig(path: Path = SAMCONFIG) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path} does not exist") from exc


def stage_parameters(config: dict[str, Any], stage: str, command: str) -> dict[str, Any]:
    """What SAM CLI uses for ``command`` in ``stage``: the global parameters overlaid by the command's."""
    env = config.get(stage)
    if not isinstance(env, dict):
        raise ConfigError(f"samconfig.toml has no [{stage}] environment")
    merged: dict[str, Any] = {}
    for section in ("global", command):
        merged.update(env.get(section, {}).get("parameters", {}))
    return merged


def stack_name(config: dict[str, Any], stage: str) -> str:
    name = stage_parameters(config, stage, "deploy").get("stack_name")
    if not name:
        raise ConfigError(f"samconfig.toml [{stage}] sets no stack_name")
    return str(name)


def account_values(config: dict[str, Any], stage: str) -> dict[str, str]:
    """Deploy parameters that name an AWS account (image repositories, artifacts bucket, execution role)."""
    params = stage_parameters(config, stage, "deploy")
    found: dict[str, str] = {}
    for key in ("image_repositories", "image_repository", "s3_bucket", "role_arn"):
        value = params.get(key)
        values = value if isinstance(value, list) else [value] if value else []
        for item in values:
            match = ACCOUNT_IN.search(str(item))
            if match:
                found[f"{key}={item}"] = match.group(1)
    return found


def check_account(config: dict[str, Any], stage: str, account: str) -> None:
    values = account_values(config, stage)
    if not values:
        raise ConfigError(f"samconfig.toml [{stage}] names no account (image repository, bucket, role)")
    wrong = [item for item, acct in values.items() if acct != account]
    if wrong:
        raise ConfigError(
            f"samconfig.toml [{stage}] belongs to another account than {account}: {', '.join(wrong)}. "
            f"Run deploy/bootstrap.sh for this account and commit samconfig.toml."
        )


def read_outputs(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text())
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected the list of stack outputs, got {type(data).__name__}")
    outputs = {str(o["OutputKey"]): str(o["OutputValue"]) for o in data}
    missing = [key for key in OUTPUTS if not outputs.get(key)]
    if missing:
        raise ConfigError(f"the stack has no output(s) {', '.join(missing)}; template.yaml must export them")
    return outputs


def github_outputs(outputs: dict[str, str]) -> str:
    return "".join(f"{name}={outputs[key]}\n" for key, name in OUTPUTS.items())


def site_config(outputs: dict[str, str], stage: str) -> dict[str, Any]:
    """The SPA reads config.json at start-up (frontend/src/api.ts: ``apiBase``, the prefix of ``/jobs``); the
    API's URL is the one thing it cannot know at build time. Routes live under /api on the HTTP API."""
    return {"apiBase": outputs["ApiUrl"].rstrip("/") + "/api", "stage": stage}


def _toml_value(value: str) -> str:
    if value.startswith("[") or value in ("true", "false"):
        return value
    return json.dumps(value)


def configure(text: str, stage: str, settings: dict[str, str]) -> str:
    """Set ``key = value`` lines in ``[stage.deploy.parameters]``, keeping every other line as it is."""
    header = f"[{stage}.deploy.parameters]"
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == header)
    except StopIteration as exc:
        raise ConfigError(f"samconfig.toml has no {header} section") from exc
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    pending = dict(settings)
    for i in range(start + 1, end):
        key = lines[i].split("=", 1)[0].strip()
        if key in pending:
            lines[i] = f"{key} = {_toml_value(pending.pop(key))}"
    lines[end:end] = [f"{key} = {_toml_value(value)}" for key, value in pending.items()]
    result = "\n".join(lines) + "\n"
    tomllib.loads(result)  # never write a file SAM cannot read
    return result


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    try:
        if command == "stack-name" and len(args) == 1:
            print(stack_name(load_samconfig(), args[0]))
        elif command == "check-account" and len(args) == 2:
            check_account(load_samconfig(), args[0], args[1])
            print(f"samconfig.toml [{args[0]}] matches account {args[1]}")
        elif command == "github-outputs" and len(args) == 1:
            sys.stdout.write(github_outputs(read_outputs(Path(args[0]))))
        elif command == "site-config" and len(args) == 2:
            print(json.dumps(site_config(read_outputs(Path(args[0])), args[1]), indent=2))
        elif command == "configure" and len(args) >= 2:
            pairs = dict(arg.split("=", 1) for arg in args[1:] if "=" in arg)
            if len(pairs) != len(args) - 1:
                raise ConfigError("configure takes KEY=VALUE arguments after the stage")
            SAMCONFIG.write_text(configure(SAMCONFIG.read_text(), args[0], pairs))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (ConfigError, OSError, ValueError, KeyError) as exc:
        print(f"stack_info: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
