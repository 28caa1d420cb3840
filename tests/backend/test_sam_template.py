"""template.yaml's security and reliability properties, asserted so a later edit cannot silently weaken them.

Plus the tools' own verdicts: `sam validate --lint` (in .venv-sam) and the conversion image's requirements
importing the handler (in .venv-image); both venvs are made by `make backend-tools`, which `make test` runs.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from img2xlsx.jobs import aws as aws_store
from img2xlsx_local.handlers import FUNCTIONS

from tests.cfn_yaml import load_cfn

from .conftest import ROOT, load_handler

TEMPLATE = ROOT / "template.yaml"
SAM_VENV = ROOT / ".venv-sam"
IMAGE_VENV = ROOT / ".venv-image"
IN_CI = os.environ.get("CI", "").lower() == "true"


def load_template() -> dict[str, Any]:
    return load_cfn(TEMPLATE)


T = load_template()
R: dict[str, Any] = T["Resources"]


def of_type(kind: str) -> dict[str, Any]:
    return {name: res for name, res in R.items() if res["Type"] == kind}


def props(name: str) -> dict[str, Any]:
    p: dict[str, Any] = R[name]["Properties"]
    return p


def refs(value: Any) -> set[str]:
    """Logical ids a value points at (Ref, GetAtt, ${Name} / ${Name.Attr} in Sub)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                out.add(inner)
            elif key == "Fn::GetAtt":
                out.add(inner[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                out |= {m.split(".")[0] for m in re.findall(r"\$\{([A-Za-z0-9.:]+)\}", text)}
            else:
                out |= refs(inner)
    elif isinstance(value, list):
        for inner in value:
            out |= refs(inner)
    return out


def text(value: Any) -> str:
    """A resource value as one string (Sub templates and plain strings), for pattern checks."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    if isinstance(value, dict) and "Ref" in value:
        return "${" + value["Ref"] + "}"
    return str(value)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


UPLOADS_NAME = "img2xlsx-${Stage}-uploads-${AWS::AccountId}-${AWS::Region}"


# -- parameters and network --------------------------------------------------------------------------------


def test_stage_parameter_and_cidr_parameter() -> None:
    params = T["Parameters"]
    assert params["Stage"]["AllowedValues"] == ["dev", "prod"]
    assert "VpcCidr" in params and params["VpcCidr"]["AllowedPattern"]
    assert text(props("Vpc")["CidrBlock"]) == "${VpcCidr}"


def test_no_route_to_the_internet() -> None:
    for kind in ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EIP", "AWS::EC2::Route"):
        assert of_type(kind) == {}, f"{kind} must not exist: the converter reaches AWS through endpoints only"
    subnets = of_type("AWS::EC2::Subnet")
    assert len(subnets) == 2
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets.values())
    zones = {str(s["Properties"]["AvailabilityZone"]) for s in subnets.values()}
    assert len(zones) == 2, "the private subnets must be in two different AZs"
    cidrs = {str(s["Properties"]["CidrBlock"]) for s in subnets.values()}
    assert len(cidrs) == 2


def test_gateway_endpoints_on_the_private_route_table() -> None:
    endpoints = of_type("AWS::EC2::VPCEndpoint")
    services = {
        text(e["Properties"]["ServiceName"]).rsplit(".", 1)[-1]: e["Properties"] for e in endpoints.values()
    }
    assert set(services) == {"s3", "dynamodb"}
    for endpoint in services.values():
        assert endpoint["VpcEndpointType"] == "Gateway"
        assert refs(endpoint["RouteTableIds"]) == {"PrivateRouteTable"}
        # Endpoint policies: only this stack's data, so a compromised converter cannot exfiltrate elsewhere.
        for statement in endpoint["PolicyDocument"]["Statement"]:
            assert "*" not in as_list(statement["Resource"])
            assert all("*" not in a.split(":")[1] for a in as_list(statement["Action"]))


def test_security_groups_have_no_inbound_rules() -> None:
    assert of_type("AWS::EC2::SecurityGroupIngress") == {}
    groups = of_type("AWS::EC2::SecurityGroup")
    assert groups
    for group in groups.values():
        assert "SecurityGroupIngress" not in group["Properties"]
        for rule in group["Properties"].get("SecurityGroupEgress", []):
            assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)


# -- storage ----------------------------------------------------------------------------------------------


def bucket_policy_of(bucket: str) -> dict[str, Any]:
    policies = [
        p for p in of_type("AWS::S3::BucketPolicy").values() if refs(p["Properties"]["Bucket"]) == {bucket}
    ]
    assert len(policies) == 1, f"{bucket} needs exactly one bucket policy"
    doc: dict[str, Any] = policies[0]["Properties"]["PolicyDocument"]
    return doc


@pytest.mark.parametrize("bucket", ["UploadsBucket", "ResultsBucket", "SiteBucket"])
def test_buckets_are_private_encrypted_and_tls_only(bucket: str) -> None:
    p = props(bucket)
    assert p["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert p["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    sse = p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse["SSEAlgorithm"] in {"AES256", "aws:kms", "aws:kms:dsse"}
    assert "AccessControl" not in p

    statements = bucket_policy_of(bucket)["Statement"]
    tls = [
        s
        for s in statements
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(tls) == 1 and tls[0]["Principal"] == "*" and tls[0]["Action"] == "s3:*"
    covered = {text(r) for r in tls[0]["Resource"]}
    assert covered == {f"${{{bucket}.Arn}}", f"${{{bucket}.Arn}}/*"}
    for statement in statements:
        if statement["Effect"] == "Allow":
            assert statement["Principal"] != "*" and "AWS" not in statement["Principal"]


def test_every_bucket_is_covered() -> None:
    assert set(of_type("AWS::S3::Bucket")) == {"UploadsBucket", "ResultsBucket", "SiteBucket"}


def test_only_cloudfront_of_this_distribution_reads_the_site() -> None:
    allows = [s for s in bucket_policy_of("SiteBucket")["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    allow = allows[0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "SiteDistribution" in refs(allow["Condition"]["StringEquals"]["AWS:SourceArn"])


@pytest.mark.parametrize(
    ("bucket", "days"), [("UploadsBucket", "UploadRetentionDays"), ("ResultsBucket", "ResultRetentionDays")]
)
def test_transient_buckets_expire_objects(bucket: str, days: str) -> None:
    rules = props(bucket)["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and refs(r.get("ExpirationInDays")) == {days} for r in rules)
    assert any(r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation", 99) <= 2 for r in rules)
    assert T["Parameters"][days]["MaxValue"] <= 90


def test_bucket_cors_allows_only_the_site_origin() -> None:
    for bucket, methods in (("UploadsBucket", ["POST"]), ("ResultsBucket", ["GET", "HEAD"])):
        (rule,) = props(bucket)["CorsConfiguration"]["CorsRules"]
        assert rule["AllowedMethods"] == methods
        (origin,) = rule["AllowedOrigins"]
        assert origin != "*" and origin["Fn::If"][0] == "HasSiteOrigin"
        assert refs(origin) == {"SiteOrigin", "SiteDistribution"}


def test_job_table_on_demand_with_ttl_and_encryption() -> None:
    p = props("JobsTable")
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert p["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]
    assert p["SSESpecification"]["SSEEnabled"] is True
    # The creation limits' count query: jobs by status and age, projecting only the client (small reads).
    (index,) = p["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-status" == aws_store.STATUS_INDEX
    assert index["KeySchema"] == [
        {"AttributeName": "status", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["client"]}


# -- API ---------------------------------------------------------------------------------------------------


def test_http_api_is_throttled_and_logged() -> None:
    p = props("HttpApi")
    throttle = p["DefaultRouteSettings"]
    assert throttle["ThrottlingBurstLimit"] and throttle["ThrottlingRateLimit"]
    assert refs(p["AccessLogSettings"]["DestinationArn"]) == {"HttpApiAccessLogs"}
    cors = p["CorsConfiguration"]["Fn::If"]
    assert cors[0] == "HasSiteOrigin" and cors[1]["AllowOrigins"] == [{"Ref": "SiteOrigin"}]


def test_api_routes_match_the_handler() -> None:
    events = props("ApiFunction")["Events"]
    routes = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events.values()}
    assert routes == {
        ("POST", "/api/jobs"),
        ("GET", "/api/jobs/{jobId}"),
        ("HEAD", "/api/jobs/{jobId}"),
        ("PUT", "/api/jobs/{jobId}/tables/{index}"),
        ("ANY", "/api/{proxy+}"),  # the handler's own 405/404 for everything else
    }
    # Each explicit route is one the handler's 405 table allows for that path, and the other way round.
    api = load_handler("functions/api/api_handler.py")
    declared = {(m, p) for m, p in routes if m != "ANY"}
    for method, path in declared:
        sample = re.sub(r"\{[^}]+\}", "x", path)
        assert any(pat.match(sample) and method in allowed for pat, allowed in api.ALLOWED), (method, path)
    assert sum(len(allowed) for _, allowed in api.ALLOWED) == len(declared)
    assert all(refs(e["Properties"]["ApiId"]) == {"HttpApi"} for e in events.values())
    assert props("ApiFunction")["Layers"] == [{"Ref": "SharedLayer"}]
    assert props("SharedLayer")["ContentUri"] == "layers/img2xlsx/"
    assert (ROOT / "layers/img2xlsx/python/img2xlsx/jobs/service.py").is_file()


# -- conversion --------------------------------------------------------------------------------------------


def test_converter_is_a_container_in_the_private_subnets() -> None:
    convert = R["ConvertFunction"]
    p = convert["Properties"]
    assert p["PackageType"] == "Image"
    assert convert["Metadata"]["DockerContext"] == "."
    assert (ROOT / convert["Metadata"]["Dockerfile"]).is_file()
    assert refs(p["VpcConfig"]["SubnetIds"]) == {"PrivateSubnetA", "PrivateSubnetB"}
    assert refs(p["VpcConfig"]["SecurityGroupIds"]) == {"ConvertSecurityGroup"}
    assert 1024 <= p["MemorySize"] <= 4096 and 60 <= p["Timeout"] <= 300
    # Functions without VpcConfig must not be given one by Globals either.
    assert "VpcConfig" not in T["Globals"]["Function"]


def test_converter_is_triggered_by_uploads_only() -> None:
    (event,) = props("ConvertFunction")["Events"].values()
    assert event["Type"] == "S3"
    e = event["Properties"]
    assert refs(e["Bucket"]) == {"UploadsBucket"}
    assert as_list(e["Events"]) == ["s3:ObjectCreated:*"]
    assert e["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]


def test_failed_conversions_are_dead_lettered_and_recorded() -> None:
    config = props("ConvertFunction")["EventInvokeConfig"]
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    assert config["MaximumEventAgeInSeconds"] <= 6 * 3600
    on_failure = config["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS" and refs(on_failure["Destination"]) == {"ConvertFailureQueue"}
    queue = props("ConvertFailureQueue")
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600 and queue["SqsManagedSseEnabled"] is True
    (event,) = props("FailureFunction")["Events"].values()
    assert event["Type"] == "SQS" and refs(event["Properties"]["Queue"]) == {"ConvertFailureQueue"}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    alarmed = {
        str(a["Properties"]["Dimensions"][0]["Value"]) for a in of_type("AWS::CloudWatch::Alarm").values()
    }
    assert any("ConvertFailureQueue" in a for a in alarmed)


# -- IAM: one role per function, least privilege ------------------------------------------------------------

ALLOWED_ACTIONS = {
    "ApiFunction": {
        "s3:PutObject",
        "s3:GetObject",
        "s3:ListBucket",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
    },
    "ConvertFunction": {
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
    },
    "FailureFunction": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
}


def statements(function: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in props(function)["Policies"]:
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, "inline statements only"
        out += policy["Statement"]
    return out


@pytest.mark.parametrize("function", sorted(ALLOWED_ACTIONS))
def test_function_policies_are_least_privilege(function: str) -> None:
    p = props(function)
    assert "Role" not in p, "SAM makes one role per function"
    for statement in statements(function):
        assert statement["Effect"] == "Allow"
        actions = set(as_list(statement["Action"]))
        assert actions <= ALLOWED_ACTIONS[function], actions - ALLOWED_ACTIONS[function]
        for resource in as_list(statement["Resource"]):
            res = text(resource)
            assert res != "*" and not res.endswith(":*")
            if actions & {"s3:GetObject", "s3:PutObject"}:
                assert res.endswith(("/uploads/*", "/results/*")), f"{function}: object access to {res}"
            if "s3:ListBucket" in actions:
                assert statement["Condition"] == {"StringLike": {"s3:prefix": "uploads/*"}}
            if actions == {"dynamodb:Query"}:
                assert res == "${JobsTable.Arn}/index/by-status"  # the index only, never a table scan
            elif any(a.startswith("dynamodb:") for a in actions):
                assert res == "${JobsTable.Arn}"


def test_converter_never_writes_where_it_is_triggered() -> None:
    writes = [s for s in statements("ConvertFunction") if "s3:PutObject" in as_list(s["Action"])]
    assert [text(s["Resource"]) for s in writes] == ["${ResultsBucket.Arn}/results/*"]
    reads = [s for s in statements("ConvertFunction") if "s3:GetObject" in as_list(s["Action"])]
    assert [text(s["Resource"]) for s in reads] == [f"arn:${{AWS::Partition}}:s3:::{UPLOADS_NAME}/uploads/*"]
    assert text(props("UploadsBucket")["BucketName"]) == UPLOADS_NAME


def test_api_writes_only_what_signing_and_edits_need() -> None:
    """PutObject on uploads/* signs the presigned POST; on results/* the edit route rewrites a result. Nothing
    else: not the site bucket, not another prefix."""
    writes = sorted(
        text(s["Resource"]) for s in statements("ApiFunction") if "s3:PutObject" in as_list(s["Action"])
    )
    assert writes == ["${ResultsBucket.Arn}/results/*", "${UploadsBucket.Arn}/uploads/*"]


# -- CloudFront ---------------------------------------------------------------------------------------------


def test_distribution_serves_the_spa_through_oac_and_the_api_on_the_same_origin() -> None:
    config = props("SiteDistribution")["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert refs(origins["site"]["OriginAccessControlId"]) == {"SiteOriginAccessControl"}
    assert origins["site"]["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert "HttpApi" in refs(origins["api"]["DomainName"])
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    oac = props("SiteOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["SigningBehavior"], oac["SigningProtocol"]) == ("always", "sigv4")

    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "site" and default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert refs(default["ResponseHeadersPolicyId"]) == {"SecurityHeadersPolicy"}
    (fn,) = default["FunctionAssociations"]
    assert fn["EventType"] == "viewer-request" and "SpaRewriteFunction" in refs(fn["FunctionARN"])
    assert "CustomErrorResponses" not in config, "error rewrites would turn API errors into index.html"

    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/*" and api["TargetOriginId"] == "api"
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert {"GET", "POST", "OPTIONS"} <= set(api["AllowedMethods"])


def test_spa_rewrite_leaves_files_alone() -> None:
    code = props("SpaRewriteFunction")["FunctionCode"]
    assert "/index.html" in code and "indexOf('.')" in code


def test_security_headers() -> None:
    config = props("SecurityHeadersPolicy")["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert config["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert config["FrameOptions"]["FrameOption"] == "DENY"
    assert config["ContentTypeOptions"]["Override"] is True
    csp = text(config["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert f"https://{UPLOADS_NAME}.s3.${{AWS::Region}}.amazonaws.com" in csp


def test_outputs_the_deploy_workflow_reads() -> None:
    assert {"ApiUrl", "SiteUrl", "SiteBucketName", "DistributionId"} <= set(T["Outputs"])


# -- samconfig.toml ---------------------------------------------------------------------------------------


def test_samconfig_stages_have_their_own_networks() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert config["default"]["global"]["parameters"]["region"]
    cidrs = {}
    for stage in ("dev", "prod"):
        overrides = dict(
            item.split("=", 1)
            for item in shlex.split(config[stage]["deploy"]["parameters"]["parameter_overrides"])
        )
        assert overrides["Stage"] == stage
        assert re.fullmatch(T["Parameters"]["VpcCidr"]["AllowedPattern"], overrides["VpcCidr"])
        cidrs[stage] = ipaddress.ip_network(overrides["VpcCidr"])
        assert cidrs[stage].is_private
    assert not cidrs["dev"].overlaps(cidrs["prod"])


# -- handlers, invoke script and image ---------------------------------------------------------------------


def test_handlers_in_the_template_exist_and_match_make_invoke() -> None:
    functions: dict[str, tuple[str, str]] = FUNCTIONS  # the shared loader's table, which `make invoke` uses
    assert load_handler("functions/invoke.py").FUNCTIONS is FUNCTIONS
    for name, (folder, handler) in functions.items():
        p = props(name)
        module, _, attr = handler.rpartition(".")
        source = ROOT / folder / f"{module}.py"
        assert f"def {attr}(" in source.read_text()
        if p.get("PackageType") == "Image":
            dockerfile = (ROOT / R[name]["Metadata"]["Dockerfile"]).read_text()
            assert f'CMD ["{handler}"]' in dockerfile
        else:
            assert (p["CodeUri"].rstrip("/"), p["Handler"]) == (folder, handler)
            assert (ROOT / folder / "requirements.txt").is_file()
    serverless = {n for n, r in R.items() if r["Type"] == "AWS::Serverless::Function"}
    assert serverless == set(functions)


def dockerfile_copies() -> list[str]:
    sources = []
    for line in (ROOT / "functions/convert/Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            parts = line.split()[1:]
            sources += [p for p in parts[:-1] if not p.startswith("--")]
    return sources


def test_every_file_the_dockerfile_copies_exists() -> None:
    sources = dockerfile_copies()
    assert "functions/convert/convert_handler.py" in sources
    assert "layers/img2xlsx/python/img2xlsx" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
    text_ = (ROOT / "functions/convert/Dockerfile").read_text()
    assert "tesseract-ocr" in text_ and "awslambdaric" in text_


def test_image_requirements_pin_what_the_engine_needs() -> None:
    pinned = {
        line.split("==")[0].split("[")[0].lower()
        for line in (ROOT / "functions/convert/requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {
        "awslambdaric",
        "boto3",
        "aws-lambda-powertools",
        "numpy",
        "opencv-python-headless",
        "pillow",
        "openpyxl",
        "onnxruntime",  # the PP-OCR backend
        "rapidocr",  # ships the PP-OCR models
    } <= pinned
    assert all(
        "==" in line
        for line in (ROOT / "functions/convert/requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )


def tool(path: Path) -> Path | None:
    if path.exists():
        return path
    if IN_CI:
        pytest.fail(f"{path} is missing: `make backend-tools` must run before the tests")
    pytest.skip(f"{path} missing; run `make backend-tools`")
    return None


def test_sam_validate_lint_is_clean() -> None:
    sam = tool(SAM_VENV / "bin/sam")
    env = dict(os.environ, SAM_CLI_TELEMETRY="0")
    result = subprocess.run(
        [str(sam), "validate", "--lint", "--region", "eu-west-1", "--template-file", str(TEMPLATE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_cfn_lint_reports_nothing_even_informational() -> None:
    lint = tool(SAM_VENV / "bin/cfn-lint")
    result = subprocess.run(
        [str(lint), "--regions", "eu-west-1", "us-east-1", "--include-checks", "I", "--", str(TEMPLATE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_convert_handler_imports_with_the_image_requirements() -> None:
    python = tool(IMAGE_VENV / "bin/python")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{ROOT / 'functions/convert'}:{ROOT / 'layers/img2xlsx/python'}",
        "PYTHONNOUSERSITE": "1",
        "HOME": os.environ.get("HOME", "/tmp"),
    }
    code = (
        "import convert_handler, img2xlsx.pipeline, img2xlsx.writers.xlsx, img2xlsx.writers.json, "
        "img2xlsx.recognize, img2xlsx.jobs.aws, img2xlsx.jobs.wiring; "
        "from img2xlsx.ocr import get_reader; get_reader('ppocr').ready(); print('ok')"
    )
    result = subprocess.run(
        [str(python), "-I", "-c", f"import sys; sys.path[:0] = {env['PYTHONPATH'].split(':')!r}; {code}"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd="/",
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


def test_env_example_names_the_functions_and_their_variables() -> None:
    import json

    example = json.loads((ROOT / "events/env.example.json").read_text())
    assert set(example) <= {n for n, r in R.items() if r["Type"] == "AWS::Serverless::Function"}
    globals_env = set(T["Globals"]["Function"]["Environment"]["Variables"])
    for variables in example.values():
        assert set(variables) <= globals_env


def test_every_alarm_notifies_the_alarm_topic() -> None:
    alarms = of_type("AWS::CloudWatch::Alarm")
    assert len(alarms) >= 4
    for alarm in alarms.values():
        assert refs(alarm["Properties"]["AlarmActions"]) == {"AlarmTopic"}
    subscription = R["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail" and refs(subscription["Properties"]["TopicArn"]) == {
        "AlarmTopic"
    }
