"""The per-tenant stack, checked offline: two tenants rendered side by side share nothing, only the
signer function may sign, the archive keeps invoices 10 years; the part of the stack moto's
CloudFormation supports is created on moto server (127.0.0.1); the deploy command's dry run.
"""

import ast
import fnmatch
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
import pytest

from render import ACCOUNT, load, render

INFRA = Path(__file__).resolve().parent.parent


def actions(statement):
    a = statement.get("Action", [])
    return [a] if isinstance(a, str) else a


def grants(statement, action):
    """Whether an Allow statement's actions (wildcards included) cover `action`."""
    return statement["Effect"] == "Allow" and any(
        fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in actions(statement)
    )


def role_statements(resources, logical):
    role = resources[logical]["Properties"]
    return [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


# ------------------------------------------------------------------ isolation


def test_two_tenants_share_no_resource_name_and_every_name_carries_the_tenant():
    a, b = render("acme"), render("bravo-2")
    names_a = {n for _, _, n in a.names()}
    names_b = {n for _, _, n in b.names()}
    assert len(a.names()) >= 25
    for logical, kind, name in a.names():
        assert "acme" in name, f"{logical} ({kind}) is named {name!r}"
    assert names_a.isdisjoint(names_b), names_a & names_b
    # Every resource of a kind that can carry a name does.
    for logical, res in a.resources().items():
        prop = {"AWS::DynamoDB::Table": "TableName", "AWS::S3::Bucket": "BucketName",
                "AWS::Lambda::Function": "FunctionName", "AWS::IAM::Role": "RoleName",
                "AWS::Logs::LogGroup": "LogGroupName"}.get(res["Type"])
        if prop:
            assert prop in res["Properties"], f"{logical} has no explicit {prop}"


def test_only_the_signer_role_may_sign_with_the_key():
    r = render("acme")
    res = r.resources()
    policy = res["SigningKey"]["Properties"]["KeyPolicy"]
    signer_arn = r.attr("SignerRole", "Arn")
    signing = [s for s in policy["Statement"] if grants(s, "kms:Sign")]
    assert [s["Principal"]["AWS"] for s in signing] == [signer_arn]
    for s in policy["Statement"]:
        assert "kms:*" not in actions(s) and "*" not in actions(s), s["Sid"]
    admin = next(s for s in policy["Statement"] if s["Sid"] == "AdministerWithoutSigning")
    assert admin["Principal"]["AWS"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert not grants(admin, "kms:Sign")
    assert grants(admin, "kms:ScheduleKeyDeletion") and grants(admin, "kms:PutKeyPolicy")
    props = res["SigningKey"]["Properties"]
    assert (props["KeySpec"], props["KeyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    # The signer function's own role grants it nothing beyond its logs.
    for s in role_statements(res, "SignerRole"):
        assert all(a.startswith("logs:") for a in actions(s)), s


def test_the_api_role_cannot_sign_and_reaches_only_this_tenants_resources():
    r = render("acme")
    res = r.resources()
    statements = role_statements(res, "ApiRole")
    assert not any(grants(s, "kms:Sign") or grants(s, "kms:GetPublicKey") for s in statements)
    assert not any(a.startswith("kms:") for s in statements for a in actions(s))
    for s in statements:
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        assert "*" not in resources, s
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["Table"]["Resource"] == r.attr("Table", "Arn")
    assert "hoadon-acme" in by_sid["Table"]["Resource"]
    assert by_sid["Archive"]["Resource"] == r.attr("ArchiveBucket", "Arn") + "/acme/*"
    assert by_sid["Signer"]["Resource"] == r.attr("SignerFunction", "Arn")
    # The function is configured with this tenant's table, bucket, signer and pool.
    env = res["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert env["HOADON_TENANT"] == "acme"
    assert env["HOADON_TABLE"] == "hoadon-acme"
    assert env["HOADON_ARCHIVE_BUCKET"].startswith("hoadon-acme-archive-")
    assert env["HOADON_SIGNER_FUNCTION"] == "hoadon-acme-signer"
    assert env["HOADON_COGNITO_ISSUER"].startswith("https://cognito-idp.")


def test_data_is_retained_encrypted_and_the_archive_locked_for_ten_years():
    t = load()["Resources"]
    for logical in ["Table", "ArchiveBucket", "SigningKey"]:
        assert t[logical]["DeletionPolicy"] == "Retain", logical
        assert t[logical]["UpdateReplacePolicy"] == "Retain", logical
    res = render("acme").resources()
    table = res["Table"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionProtectionEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    archive = res["ArchiveBucket"]["Properties"]
    assert archive["VersioningConfiguration"]["Status"] == "Enabled"
    assert archive["ObjectLockEnabled"] is True
    retention = archive["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {"Mode": "COMPLIANCE", "Years": 10}
    for bucket in ["ArchiveBucket", "WebBucket"]:
        block = res[bucket]["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()), bucket


def test_the_app_and_the_api_share_one_origin_with_the_right_caching():
    res = render("acme").resources()
    config = res["Distribution"]["Properties"]["DistributionConfig"]
    disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert behaviours["/api/*"]["TargetOriginId"] == "api"
    assert behaviours["/api/*"]["CachePolicyId"] == disabled
    assert "POST" in behaviours["/api/*"]["AllowedMethods"]
    for entry in ["/index.html", "/sw.js", "/config.json"]:
        assert behaviours[entry]["CachePolicyId"] == disabled, entry
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "web"
    assert default["CachePolicyId"] == render("acme").physical("HashedAssetsCachePolicy")
    hashed = res["HashedAssetsCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert hashed["MinTTL"] == 31536000
    # The deep-link rewrite runs for the app only, never for /api/.
    assert "FunctionAssociations" in default
    assert "FunctionAssociations" not in behaviours["/api/*"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "OriginAccessControlId" in origins["web"]
    # The web bucket is readable by this distribution only.
    statement = res["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Condition"]["StringEquals"]["AWS:SourceArn"].endswith(
        render("acme").physical("Distribution"))


def test_alarms_cover_errors_and_throttles_of_both_functions():
    res = render("acme").resources()
    alarms = {(r["Properties"]["Dimensions"][0]["Value"], r["Properties"]["MetricName"])
              for r in res.values() if r["Type"] == "AWS::CloudWatch::Alarm"}
    for fn in ["hoadon-acme-api", "hoadon-acme-signer"]:
        assert (fn, "Errors") in alarms and (fn, "Throttles") in alarms, fn
    groups = [r["Properties"] for r in res.values() if r["Type"] == "AWS::Logs::LogGroup"]
    assert groups and all(g["RetentionInDays"] == "365" for g in groups)


def test_the_recovery_sweep_runs_on_a_schedule_with_the_api_code_and_role():
    r = render("acme")
    res = r.resources()
    sweep = res["SweepFunction"]["Properties"]
    api = res["ApiFunction"]["Properties"]
    assert sweep["Environment"]["Variables"]["HOADON_SWEEP"] == "1"
    assert sweep["Code"] == api["Code"] and sweep["Role"] == api["Role"]
    for k, v in api["Environment"]["Variables"].items():
        assert sweep["Environment"]["Variables"][k] == v, k
    rule = res["SweepSchedule"]["Properties"]
    assert rule["ScheduleExpression"].startswith("rate(") and rule["State"] == "ENABLED"
    target = r.t["Resources"]["SweepSchedule"]["Properties"]["Targets"][0]["Arn"]
    assert target == {"Fn::GetAtt": ["SweepFunction", "Arn"]}
    perm = r.t["Resources"]["SweepInvokePermission"]["Properties"]
    assert perm["Principal"] == "events.amazonaws.com"
    assert perm["SourceArn"] == {"Fn::GetAtt": ["SweepSchedule", "Arn"]}
    alarms = {a["Properties"]["AlarmName"] for a in res.values()
              if a["Type"] == "AWS::CloudWatch::Alarm"}
    assert "hoadon-acme-sweep-errors" in alarms


@pytest.mark.parametrize("tenant,ok", [
    ("acme", True), ("a-b", True), ("x" * 21, True), ("tenant-2026", True),
    ("ab", False), ("x" * 22, False), ("Acme", False), ("2acme", False), ("ac_me", False),
])
def test_tenant_ids_fit_every_naming_rule(tenant, ok):
    pattern = load()["Parameters"]["TenantId"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, tenant)) == ok
    if ok:
        # S3: the longest bucket name stays within 63 characters.
        longest = max(len(n) for _, kind, n in render(tenant).names() if kind == "AWS::S3::Bucket")
        assert longest <= 63


# ------------------------------------------------------------------ moto CloudFormation


def moto_subset(template, supported):
    """The resources moto's CloudFormation can create, and those depending only on them.

    Two adaptations for moto 5.2.5, whose AWS::KMS::Key handler passes an object key policy on
    unserialised (every later KMS call then fails) and expects tags in the KMS API's shape: the
    key policy goes in as a JSON string (its intrinsics as ${...} substitutions) and the key's
    tags are left out. moto also creates every CloudFormation KMS key as SYMMETRIC_DEFAULT /
    ENCRYPT_DECRYPT whatever KeySpec says, so the key's spec is checked on the template above.

    A third: a function whose environment names a resource moto does not model (the Cognito pool
    and client) gets a placeholder for that variable, so the functions built from the API package
    (API, sweep, outbox consumer) and the outbox's event source mapping are created too.
    """

    def refs(x):
        out = set()
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "Ref":
                    out.add(v)
                elif k == "Fn::GetAtt":
                    out.add(v[0] if isinstance(v, list) else v.split(".")[0])
                elif k == "Fn::Sub":
                    text = v if isinstance(v, str) else v[0]
                    out |= {n.split(".")[0] for n in re.findall(r"\$\{([^}!]+)\}", text)}
                else:
                    out |= refs(v)
        elif isinstance(x, list):
            for i in x:
                out |= refs(i)
        return out

    template = json.loads(json.dumps(template))
    unsupported = {k for k, v in template["Resources"].items() if v["Type"] not in supported}
    for v in template["Resources"].values():
        if v["Type"] == "AWS::Lambda::Function":
            env = v["Properties"].get("Environment", {}).get("Variables", {})
            for name, value in env.items():
                if refs(value) & unsupported:
                    env[name] = "moto-placeholder"
    resources = {k: v for k, v in template["Resources"].items() if v["Type"] in supported}
    changed = True
    while changed:
        changed = False
        for k, v in list(resources.items()):
            if any(r in template["Resources"] and r not in resources for r in refs(v)):
                del resources[k]
                changed = True

    def as_sub(x):
        if isinstance(x, dict) and len(x) == 1:
            (k, v), = x.items()
            if k == "Fn::GetAtt":
                return "${%s}" % (".".join(v) if isinstance(v, list) else v)
            if k == "Fn::Sub" and isinstance(v, str):
                return v
            if k == "Ref":
                return "${%s}" % v
        if isinstance(x, dict):
            return {k: as_sub(v) for k, v in x.items()}
        if isinstance(x, list):
            return [as_sub(i) for i in x]
        return x

    key = json.loads(json.dumps(resources["SigningKey"]))
    key["Properties"]["KeyPolicy"] = {"Fn::Sub": json.dumps(as_sub(key["Properties"]["KeyPolicy"]))}
    key["Properties"].pop("Tags", None)
    resources["SigningKey"] = key
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": template["Parameters"],
        "Conditions": template["Conditions"],
        "Resources": resources,
    }


@pytest.fixture(scope="module")
def moto():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
        yield lambda service: boto3.client(service, **kw)
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def stacks(moto):
    """Two tenants' stacks (the part moto models) on one moto server: {tenant: {logical id:
    physical id}}."""
    from moto.cloudformation.parsing import get_model_map

    subset = moto_subset(load(), get_model_map())
    created = set(subset["Resources"])
    assert {"Table", "ArchiveBucket", "SigningKey", "SignerRole", "SignerFunction",
            "ApiRole", "OutboxQueue", "OutboxDeadLetterQueue", "OutboxRole", "OutboxFunction",
            "OutboxEventSource"} <= created, created
    s3, cf = moto("s3"), moto("cloudformation")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    stacks = {}
    for tenant in ["acme", "bravo"]:
        artifacts = f"hoadon-{tenant}-artifacts"
        s3.create_bucket(Bucket=artifacts)
        for key in ["api.zip", "signer.zip"]:
            s3.put_object(Bucket=artifacts, Key=key, Body=package.getvalue())
        params = {"TenantId": tenant, "SellerTaxId": "0109998883", "ArtifactBucket": artifacts,
                  "ApiCodeKey": "api.zip", "SignerCodeKey": "signer.zip"}
        cf.create_stack(StackName=f"hoadon-{tenant}", TemplateBody=json.dumps(subset),
                        Capabilities=["CAPABILITY_NAMED_IAM"],
                        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()])
        status = cf.describe_stacks(StackName=f"hoadon-{tenant}")["Stacks"][0]["StackStatus"]
        assert status == "CREATE_COMPLETE", status
        stacks[tenant] = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in
                          cf.list_stack_resources(StackName=f"hoadon-{tenant}")["StackResourceSummaries"]}
    return stacks


def test_moto_creates_two_tenant_stacks_with_the_expected_table_key_and_archive(moto, stacks):
    s3 = moto("s3")
    ddb, kms, iam, lam = moto("dynamodb"), moto("kms"), moto("iam"), moto("lambda")
    for tenant in ["acme", "bravo"]:
        ids = stacks[tenant]
        table = ddb.describe_table(TableName=f"hoadon-{tenant}")["Table"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
        assert table["DeletionProtectionEnabled"] is True
        # moto's CloudFormation drops SSESpecification and PointInTimeRecoverySpecification
        # (both are checked on the template above).

        key = kms.describe_key(KeyId=ids["SigningKey"])["KeyMetadata"]
        assert key["Enabled"]
        policy = json.loads(kms.get_key_policy(KeyId=ids["SigningKey"], PolicyName="default")["Policy"])
        signer_arn = iam.get_role(RoleName=f"hoadon-{tenant}-signer")["Role"]["Arn"]
        api_arn = iam.get_role(RoleName=f"hoadon-{tenant}-api")["Role"]["Arn"]
        signing = [s for s in policy["Statement"] if grants(s, "kms:Sign")]
        assert [s["Principal"]["AWS"] for s in signing] == [signer_arn]
        assert api_arn not in json.dumps(policy)
        aliases = kms.list_aliases(KeyId=ids["SigningKey"])["Aliases"]
        assert [a["AliasName"] for a in aliases] == [f"alias/hoadon-{tenant}-signing"]

        archive = ids["ArchiveBucket"]
        assert tenant in archive
        # moto's CloudFormation creates the bucket but applies neither versioning nor the
        # object lock configuration (both checked on the template above).
        s3.head_bucket(Bucket=archive)

        fn = lam.get_function(FunctionName=f"hoadon-{tenant}-signer")["Configuration"]
        assert fn["Runtime"] == "provided.al2023" and fn["Handler"] == "bootstrap"
        assert fn["Environment"]["Variables"] == {"HOADON_TENANT": tenant,
                                                  "HOADON_KMS_KEY_ID": ids["SigningKey"]}
        assert fn["Role"] == signer_arn
    assert stacks["acme"]["SigningKey"] != stacks["bravo"]["SigningKey"]


# ------------------------------------------------------------------ the deploy command


def run_deploy(*args):
    env = dict(os.environ, PATH=os.environ["PATH"], AWS_ACCOUNT_ID=ACCOUNT, AWS_REGION="ap-southeast-1")
    return subprocess.run([str(INFRA / "deploy"), *args], capture_output=True, text=True, env=env)


def test_the_deploy_dry_run_prints_one_tenants_steps_and_touches_nothing():
    out = run_deploy("tenant", "acme", "--tax-id", "0109998883", "--dry-run")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "cloudformation deploy" in text and "--stack-name hoadon-acme" in text
    assert "hoadon-acme-artifacts-111122223333" in text
    assert "TenantId=acme" in text and "SellerTaxId=0109998883" in text
    assert "bravo" not in text
    bad = run_deploy("tenant", "Acme", "--tax-id", "0109998883", "--dry-run")
    assert bad.returncode != 0 and "tenant id" in bad.stderr
    bad = run_deploy("tenant", "acme", "--tax-id", "12345", "--dry-run")
    assert bad.returncode != 0 and "tax id" in bad.stderr


# ------------------------------------------------------------------ logs, metrics, health


SAMPLES = [json.loads(line) for line in
           (Path(__file__).parent / "log-samples.jsonl").read_text().splitlines()]


def json_field(line, selector):
    """The value `$.a.b` selects in a JSON log line (None when absent)."""
    assert selector.startswith("$."), selector
    value = line
    for part in selector[2:].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def matches(pattern, line):
    """CloudWatch Logs' JSON filter pattern `{ $.field = "value" }` (the form the template uses)."""
    m = re.fullmatch(r'\{\s*(\$\.[\w.]+)\s*=\s*"([^"]*)"\s*\}', pattern)
    assert m, f"unsupported pattern {pattern!r}"
    return json_field(line, m.group(1)) == m.group(2)


def metric_filters(res):
    return {logical: r["Properties"] for logical, r in res.items()
            if r["Type"] == "AWS::Logs::MetricFilter"}


def test_metric_filters_count_the_lines_the_functions_write():
    # The samples are what functions/api/src/telemetry.rs writes (a Rust test keeps them so).
    r = render("acme")
    res = r.resources()
    filters = metric_filters(res)
    by_metric = {}
    for props in filters.values():
        t = props["MetricTransformations"][0]
        assert t["MetricNamespace"] == "hoadon"
        assert "acme" in props["FilterName"]
        # The Tenant dimension comes from the line's own tenant field.
        assert t["Dimensions"] == [{"Key": "Tenant", "Value": "$.tenant"}]
        hits = [line for line in SAMPLES if matches(props["FilterPattern"], line)]
        assert len(hits) == 1, (props["FilterPattern"], hits)
        assert json_field(hits[0], "$.tenant") == "acme"
        value = t["MetricValue"]
        if value.startswith("$."):
            assert isinstance(json_field(hits[0], value), int), value
        by_metric.setdefault(t["MetricName"], set()).add(props["LogGroupName"])
    api, sweep = r.physical("ApiLogGroup"), r.physical("SweepLogGroup")
    assert api == "/aws/lambda/hoadon-acme-api" and sweep == "/aws/lambda/hoadon-acme-sweep"
    outbox = r.physical("OutboxLogGroup")
    assert by_metric == {"SigningFailures": {api, sweep}, "SweepBacklog": {sweep},
                         "OutboxNeedsAttention": {outbox, sweep}}
    backlog = next(p for p in filters.values()
                   if p["MetricTransformations"][0]["MetricName"] == "SweepBacklog")
    line = next(s for s in SAMPLES if matches(backlog["FilterPattern"], s))
    assert json_field(line, backlog["MetricTransformations"][0]["MetricValue"]) == 1


def test_signing_failures_and_the_sweep_backlog_alarm_on_the_topic():
    r = render("acme")
    res = r.resources()
    alarms = {p["MetricName"]: p for p in (x["Properties"] for x in res.values()
                                            if x["Type"] == "AWS::CloudWatch::Alarm")}
    topic = r.ref("AlarmTopic")
    for metric in ["SigningFailures", "SweepBacklog", "OutboxNeedsAttention"]:
        a = alarms[metric]
        assert a["Namespace"] == "hoadon"
        assert a["Dimensions"] == [{"Name": "Tenant", "Value": "acme"}]
        assert a["AlarmActions"] == [topic]
        assert (a["Threshold"], a["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert a["Period"] == 300
    assert (alarms["SigningFailures"]["Statistic"], alarms["SigningFailures"]["EvaluationPeriods"]) \
        == ("Sum", 1)
    backlog = alarms["SweepBacklog"]
    assert (backlog["EvaluationPeriods"], backlog["DatapointsToAlarm"]) == (3, 3)


def test_only_the_description_the_health_check_and_buyer_links_skip_the_authorizer():
    res = render("acme").resources()
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in res.values()
              if r["Type"] == "AWS::ApiGatewayV2::Route"}
    public = {k for k, p in routes.items() if p["AuthorizationType"] == "NONE"}
    # /api/public/ holds only the buyers' pages: the confirmation (the link's secret) and the
    # invoice lookup (the printed code, attempts counted per source address), both checked by
    # the function; nothing else of the tenant is under it.
    assert public == {"GET /api/openapi.json", "GET /api/health", "ANY /api/public/{proxy+}"}
    assert routes["ANY /api/{proxy+}"]["AuthorizationType"] == "CUSTOM"
    assert routes["ANY /api/{proxy+}"]["AuthorizerId"] == render("acme").ref("HttpApiAuthorizer")
    assert routes["GET /api/health"]["Target"] == routes["ANY /api/{proxy+}"]["Target"]


def test_the_gateway_verifies_pool_tokens_and_access_tokens_with_the_api_code():
    """#15: both kinds of bearer token pass the gateway through one Lambda REQUEST authorizer,
    the API executable in authorizer mode, configured with this tenant's table and pool only."""
    r = render("acme")
    res = r.resources()
    auth = res["HttpApiAuthorizer"]["Properties"]
    assert auth["AuthorizerType"] == "REQUEST"
    assert (auth["AuthorizerPayloadFormatVersion"], auth["EnableSimpleResponses"]) == ("2.0", True)
    assert auth["IdentitySource"] == ["$request.header.Authorization"]
    # Cached briefly: the function verifies every request itself, so a revoked token is refused
    # at once whatever the gateway remembers.
    assert 0 <= auth["AuthorizerResultTtlInSeconds"] <= 300
    fn_arn = r.attr("AuthorizerFunction", "Arn")
    assert fn_arn in auth["AuthorizerUri"] and auth["AuthorizerUri"].endswith("/invocations")
    fn = res["AuthorizerFunction"]["Properties"]
    api = res["ApiFunction"]["Properties"]
    assert fn["Code"] == api["Code"]
    env = fn["Environment"]["Variables"]
    assert env["HOADON_AUTHORIZER"] == "1"
    for k in ["HOADON_TENANT", "HOADON_TABLE", "HOADON_COGNITO_ISSUER", "HOADON_COGNITO_CLIENT_ID"]:
        assert env[k] == api["Environment"]["Variables"][k], k
    # It knows nothing of the archive, the signer, the queue or the T-VAN.
    assert not any(k.startswith(("HOADON_TVAN", "HOADON_SIGNER", "HOADON_KMS", "HOADON_ARCHIVE",
                                 "HOADON_OUTBOX")) for k in env), env
    assert fn["Timeout"] <= 10, "API Gateway waits at most 10 s for an authorizer"
    # Only API Gateway, for this API's authorizer, may invoke it.
    perm = res["AuthorizerInvokePermission"]["Properties"]
    assert perm["Principal"] == "apigateway.amazonaws.com"
    assert perm["FunctionName"] == "hoadon-acme-authorizer"
    assert perm["SourceArn"].endswith(f"{r.ref('HttpApi')}/authorizers/{r.ref('HttpApiAuthorizer')}")
    alarms = {a["Properties"]["AlarmName"] for a in res.values()
              if a["Type"] == "AWS::CloudWatch::Alarm"}
    assert "hoadon-acme-authorizer-errors" in alarms


def test_the_authorizer_only_reads_its_own_tenants_table():
    for tenant in ["acme", "bravo"]:
        r = render(tenant)
        res = r.resources()
        statements = role_statements(res, "AuthorizerRole")
        by_sid = {s["Sid"]: s for s in statements}
        assert set(by_sid) == {"Logs", "TableRead"}
        assert actions(by_sid["TableRead"]) == ["dynamodb:GetItem"]
        assert by_sid["TableRead"]["Resource"] == r.attr("Table", "Arn")
        assert f"hoadon-{tenant}" in by_sid["TableRead"]["Resource"]
        assert by_sid["Logs"]["Resource"] == r.attr("AuthorizerLogGroup", "Arn") + ":*"
        for s in statements:
            assert not any(grants(s, a) for a in ["dynamodb:PutItem", "dynamodb:Query", "s3:GetObject",
                                                  "kms:Sign", "lambda:InvokeFunction"]), s
        # Each tenant's authorizer checks its own pool and table.
        env = res["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
        assert env["HOADON_TABLE"] == f"hoadon-{tenant}"
        assert env["HOADON_COGNITO_ISSUER"].endswith(r.ref("UserPool"))
        assert env["HOADON_COGNITO_CLIENT_ID"] == r.ref("UserPoolClient")


def test_the_deploy_dry_run_ends_with_the_health_check():
    out = run_deploy("tenant", "acme", "--tax-id", "0109998883", "--dry-run")
    assert out.returncode == 0, out.stderr
    last = [line for line in out.stdout.splitlines() if line.startswith("+")][-1]
    assert last.startswith("+ curl ") and last.endswith("api/health"), last


# ------------------------------------------------------------------ the outbox queue


def sqs_statements(res):
    """(role, statement) of every role statement that names an SQS action."""
    return [(logical, s) for logical, r in res.items() if r["Type"] == "AWS::IAM::Role"
            for s in role_statements(res, logical)
            if any(a.lower().startswith("sqs:") for a in actions(s))]


def test_each_tenant_has_its_own_outbox_queue_and_no_policy_reaches_another_tenants():
    a, b = render("acme"), render("bravo-2")
    for r, me, other in [(a, "acme", b), (b, "bravo-2", a)]:
        res = r.resources()
        assert r.physical("OutboxQueue") == f"hoadon-{me}-outbox"
        assert r.physical("OutboxDeadLetterQueue") == f"hoadon-{me}-outbox-dlq"
        assert r.physical("OutboxRole") == f"hoadon-{me}-outbox"
        assert r.physical("OutboxFunction") == f"hoadon-{me}-outbox"
        queue = r.attr("OutboxQueue", "Arn")
        orders = r.attr("OrdersQueue", "Arn")
        assert r.physical("OrdersQueue") == f"hoadon-{me}-orders.fifo"
        assert r.physical("OrdersFunction") == f"hoadon-{me}-orders"
        # The other tenant's queues appear nowhere in this stack (ARN, URL or name).
        text = json.dumps(res)
        for q in ["OutboxQueue", "OutboxDeadLetterQueue", "OrdersQueue", "OrdersDeadLetterQueue"]:
            for x in [other.attr(q, "Arn"), other.ref(q), other.physical(q)]:
                assert x not in text.replace(r.physical(q), ""), (me, x)
        # Every SQS grant in every role is on one of this tenant's queues, by its ARN, no
        # wildcard.
        grants_by_role = {}
        for role, s in sqs_statements(res):
            assert s["Effect"] == "Allow"
            assert s["Resource"] in (queue, orders), (role, s)
            assert not any("*" in x for x in actions(s)), (role, s)
            name = "orders" if s["Resource"] == orders else "outbox"
            grants_by_role.setdefault((role, name), set()).update(actions(s))
        consume = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
        assert grants_by_role == {
            ("ApiRole", "outbox"): {"sqs:SendMessage"},
            ("ApiRole", "orders"): {"sqs:SendMessage"} | consume,
            ("OutboxRole", "outbox"): {"sqs:SendMessage"} | consume,
        }
        # Only this tenant's queue may move messages into its dead-letter queue.
        allow = res["OutboxDeadLetterQueue"]["Properties"]["RedriveAllowPolicy"]
        assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [queue]}
        allow = res["OrdersDeadLetterQueue"]["Properties"]["RedriveAllowPolicy"]
        assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [orders]}


def test_the_outbox_queue_redrives_to_its_dead_letter_queue_after_five_receives():
    r = render("acme")
    res = r.resources()
    queue = res["OutboxQueue"]["Properties"]
    dlq = res["OutboxDeadLetterQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": r.attr("OutboxDeadLetterQueue", "Arn"), "maxReceiveCount": 5}
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    # A standard queue's message expires counting from its first enqueue: the DLQ keeps longer.
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    consumer = res["OutboxFunction"]["Properties"]
    mapping = res["OutboxEventSource"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"] + mapping[
        "MaximumBatchingWindowInSeconds"]
    # Both queues refuse plain HTTP.
    policy = res["OutboxQueuePolicy"]["Properties"]
    assert policy["Queues"] == [r.ref("OutboxQueue"), r.ref("OutboxDeadLetterQueue")]
    (tls,) = policy["PolicyDocument"]["Statement"]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}}


def test_the_consumer_is_the_api_package_fed_by_its_queue_with_partial_batch_failures():
    r = render("acme")
    res = r.resources()
    mapping = res["OutboxEventSource"]["Properties"]
    assert mapping["EventSourceArn"] == r.attr("OutboxQueue", "Arn")
    assert mapping["FunctionName"] == "hoadon-acme-outbox"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Enabled"] is True
    consumer = res["OutboxFunction"]["Properties"]
    api = res["ApiFunction"]["Properties"]
    assert consumer["Code"] == api["Code"]
    assert consumer["Role"] == r.attr("OutboxRole", "Arn")
    # Small, and the mapping never hands out more batches than the function may run.
    assert 1 <= consumer["ReservedConcurrentExecutions"] <= 5
    assert mapping["ScalingConfig"]["MaximumConcurrency"] <= consumer["ReservedConcurrentExecutions"]
    env = consumer["Environment"]["Variables"]
    assert env["HOADON_OUTBOX"] == "1"
    for k, v in api["Environment"]["Variables"].items():
        assert env[k] == v, k
    # API, sweep and consumer wake this tenant's queue (its URL: what SendMessage takes).
    url = r.ref("OutboxQueue")
    assert url == "https://sqs.ap-southeast-1.amazonaws.com/111122223333/hoadon-acme-outbox"
    for fn in ["ApiFunction", "SweepFunction", "OutboxFunction"]:
        assert res[fn]["Properties"]["Environment"]["Variables"]["HOADON_OUTBOX_QUEUE_URL"] == url
    assert "HOADON_OUTBOX" not in api["Environment"]["Variables"]
    # The consumer cannot sign (a message is complete when written) and reaches only its own
    # tenant's table, archive prefix, logs and queue.
    statements = role_statements(res, "OutboxRole")
    assert not any(a.startswith(("kms:", "lambda:")) for s in statements for a in actions(s))
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["Table"]["Resource"] == r.attr("Table", "Arn")
    assert by_sid["Archive"]["Resource"] == r.attr("ArchiveBucket", "Arn") + "/acme/*"
    assert by_sid["Logs"]["Resource"] == r.attr("OutboxLogGroup", "Arn") + ":*"
    for s in statements:
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        assert "*" not in resources, s
    # The sweep function (API role) may write its own log group.
    logs = next(s for s in role_statements(res, "ApiRole") if s["Sid"] == "Logs")
    assert r.attr("SweepLogGroup", "Arn") + ":*" in logs["Resource"]


def test_dead_letters_queue_age_and_consumer_errors_alarm_on_the_topic():
    r = render("acme")
    res = r.resources()
    alarms = {p["AlarmName"]: p for p in (x["Properties"] for x in res.values()
                                          if x["Type"] == "AWS::CloudWatch::Alarm")}
    dead = alarms["hoadon-acme-outbox-dead-letters"]
    assert (dead["Namespace"], dead["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": "hoadon-acme-outbox-dlq"}]
    assert (dead["Threshold"], dead["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    age = alarms["hoadon-acme-outbox-age"]
    assert (age["Namespace"], age["MetricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert age["Dimensions"] == [{"Name": "QueueName", "Value": "hoadon-acme-outbox"}]
    assert (age["Threshold"], age["ComparisonOperator"]) == (15 * 60, "GreaterThanThreshold")
    errors = alarms["hoadon-acme-outbox-errors"]
    assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": "hoadon-acme-outbox"}]
    for a in [dead, age, errors]:
        assert a["AlarmActions"] == [r.ref("AlarmTopic")], a["AlarmName"]
        assert a["TreatMissingData"] == "notBreaching"


def test_moto_creates_each_tenants_outbox_queue_consumer_and_mapping(moto, stacks):
    sqs, iam, lam = moto("sqs"), moto("iam"), moto("lambda")
    arns = {}
    for tenant in ["acme", "bravo"]:
        url = sqs.get_queue_url(QueueName=f"hoadon-{tenant}-outbox")["QueueUrl"]
        dlq_url = sqs.get_queue_url(QueueName=f"hoadon-{tenant}-outbox-dlq")["QueueUrl"]
        # The stack's Ref is the queue's AWS URL; moto answers with its own host.
        stack_url = stacks[tenant]["OutboxQueue"]
        assert stack_url.startswith("https://sqs.") and stack_url.split("/")[-2:] == url.split("/")[-2:]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
        arns[tenant] = attrs["QueueArn"]
        assert attrs["VisibilityTimeout"] == "360"
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
        assert int(redrive["maxReceiveCount"]) == 5
        assert dlq["MessageRetentionPeriod"] == "1209600"
        assert dlq["QueueArn"].endswith(f":hoadon-{tenant}-outbox-dlq")

        # The roles as IAM stores them: SQS only on this tenant's queue.
        for role in ["api", "outbox"]:
            name = f"hoadon-{tenant}-{role}"
            doc = iam.get_role_policy(RoleName=name, PolicyName=name)["PolicyDocument"]
            if isinstance(doc, str):
                # moto 5.2.5 keeps a CloudFormation role's inline policy as a Python repr.
                doc = ast.literal_eval(doc)
            sqs_grants = [s for s in doc["Statement"]
                          if any(a.startswith("sqs:") for a in actions(s))]
            orders = attrs["QueueArn"].replace("-outbox", "-orders.fifo")
            assert sqs_grants and all(s["Resource"] in (attrs["QueueArn"], orders)
                                      for s in sqs_grants), doc
            assert any(s["Resource"] == attrs["QueueArn"] for s in sqs_grants), doc

        fn = lam.get_function(FunctionName=f"hoadon-{tenant}-outbox")["Configuration"]
        assert fn["Role"] == iam.get_role(RoleName=f"hoadon-{tenant}-outbox")["Role"]["Arn"]
        env = fn["Environment"]["Variables"]
        assert (env["HOADON_OUTBOX"], env["HOADON_TENANT"]) == ("1", tenant)
        assert env["HOADON_OUTBOX_QUEUE_URL"] == stack_url
        mappings = lam.list_event_source_mappings(FunctionName=f"hoadon-{tenant}-outbox")
        (mapping,) = mappings["EventSourceMappings"]
        assert mapping["EventSourceArn"] == attrs["QueueArn"]
        assert mapping["BatchSize"] == 5
        # The orders consumer: the FIFO queue, the API's role.
        orders_url = sqs.get_queue_url(QueueName=f"hoadon-{tenant}-orders.fifo")["QueueUrl"]
        fifo = sqs.get_queue_attributes(QueueUrl=orders_url, AttributeNames=["All"])["Attributes"]
        assert fifo["FifoQueue"] == "true"
        fn = lam.get_function(FunctionName=f"hoadon-{tenant}-orders")["Configuration"]
        assert fn["Role"] == iam.get_role(RoleName=f"hoadon-{tenant}-api")["Role"]["Arn"]
        (mapping,) = lam.list_event_source_mappings(FunctionName=f"hoadon-{tenant}-orders")[
            "EventSourceMappings"]
        assert mapping["EventSourceArn"] == fifo["QueueArn"]
    assert arns["acme"] != arns["bravo"]


def test_remote_signing_is_off_unless_an_endpoint_is_given_and_its_secret_is_never_echoed():
    template = load()
    assert template["Parameters"]["RemoteSigningClientSecret"]["NoEcho"] is True
    assert template["Parameters"]["RemoteSigningUserSecret"]["NoEcho"] is True
    # One request waits for the holder's confirmation less than the API function may run.
    api_timeout = template["Resources"]["ApiFunction"]["Properties"]["Timeout"]
    assert template["Parameters"]["RemoteSigningMaxWait"]["MaxValue"] < api_timeout
    off = render("acme").resources()
    on = render("acme", RemoteSigningEndpoint="https://rmgateway.example.vn").resources()
    for fn in ["ApiFunction", "SweepFunction", "OutboxFunction"]:
        assert off[fn]["Properties"]["Environment"]["Variables"]["HOADON_SIGNER"] == "local"
        env = on[fn]["Properties"]["Environment"]["Variables"]
        assert env["HOADON_SIGNER"] == "remote"
        assert env["HOADON_REMOTE_ENDPOINT"] == "https://rmgateway.example.vn"


# ------------------------------------------------------------------ delivery (#17)


def test_mail_leaves_only_from_the_tenants_address_and_only_when_configured():
    off_stack, on_stack = render("acme"), render("acme", MailFrom="hoadon@acme.example.vn")
    off, on = off_stack.resources(), on_stack.resources()
    roles = ["ApiRole", "OutboxRole", "SignerRole", "AuthorizerRole"]
    physical = {on_stack.ref(r): r for r in roles}

    def mail_grants(res):
        """Roles (logical ids) given ses:SendRawEmail, inline or by a policy resource."""
        granted = {r for r in roles if any(grants(st, "ses:SendRawEmail") for st in role_statements(res, r))}
        for r in res.values():
            if r["Type"] == "AWS::IAM::Policy":
                statements = r["Properties"]["PolicyDocument"]["Statement"]
                if any(grants(st, "ses:SendRawEmail") for st in statements):
                    assert all(st["Condition"] == {"StringEquals": {"ses:FromAddress": "hoadon@acme.example.vn"}}
                               for st in statements)
                    granted |= {physical[name] for name in r["Properties"]["Roles"]}
        return granted

    assert mail_grants(off) == set()
    assert "MailPolicy" not in off
    assert mail_grants(on) == {"ApiRole", "OutboxRole"}
    # Every function that can make an invoice deliverable (issuing, the sweep, the outbox's
    # codes) prints the same lookup address and sends from the same address.
    for fn in ["ApiFunction", "SweepFunction", "OutboxFunction"]:
        env = on[fn]["Properties"]["Environment"]["Variables"]
        assert env["HOADON_MAIL_FROM"] == "hoadon@acme.example.vn"
        assert "HOADON_PUBLIC_URL" in env


def test_orders_are_invoiced_one_series_at_a_time_by_a_consumer_that_may_sign():
    r = render("acme")
    res = r.resources()
    queue = res["OrdersQueue"]["Properties"]
    assert queue["FifoQueue"] is True and res["OrdersDeadLetterQueue"]["Properties"]["FifoQueue"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": r.attr("OrdersDeadLetterQueue", "Arn"), "maxReceiveCount": 5}
    consumer = res["OrdersFunction"]["Properties"]
    assert consumer["Role"] == r.attr("ApiRole", "Arn")
    assert consumer["Environment"]["Variables"]["HOADON_OUTBOX"] == "1"
    assert consumer["Code"] == res["ApiFunction"]["Properties"]["Code"]
    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"]
    mapping = res["OrdersEventSource"]["Properties"]
    assert mapping["EventSourceArn"] == r.attr("OrdersQueue", "Arn")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for f in ["ApiFunction", "OrdersFunction"]:
        assert res[f]["Properties"]["Environment"]["Variables"]["HOADON_ORDERS_QUEUE_URL"] == r.ref("OrdersQueue")
    (tls,) = res["OrdersQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert tls["Effect"] == "Deny"
