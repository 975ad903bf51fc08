"""infra/site.yaml, the AWS side of publishing: linted, its CloudFront Function run, deployed.

Why: the template is what a newcomer runs once against a real account, where a mistake costs a
failed stack, a public bucket or a 403 on the live URL. So it is checked four ways offline:

(a) ``cfn-lint`` (AWS's resource schemas) passes on it, and fails on seeded defects;
(b) the CloudFront Function's JavaScript, taken from the template, runs in Node on a table of
    URIs (folder paths get their ``index.html``, ``/penguins`` is redirected to ``/penguins/``);
(c) the template is deployed by CloudFormation on moto's server (127.0.0.1), the publisher
    publishes into the bucket it created with the credentials of the role it created, and the
    role's trust policy is read back;
(d) the README's ``gh variable set`` loop, fed that stack's outputs, sets exactly the
    repository variables the workflow's ``deploy-s3`` job reads.

moto's CloudFormation creates ``AWS::S3::Bucket`` (with its encryption) and ``AWS::IAM::Role``
(trust and inline policies) but none of the other types the template uses:
``AWS::S3::BucketPolicy``, ``AWS::CloudFront::OriginAccessControl``,
``AWS::CloudFront::Function``, ``AWS::CloudFront::CachePolicy``,
``AWS::CloudFront::ResponseHeadersPolicy``, ``AWS::CloudFront::Distribution`` and
``AWS::IAM::OIDCProvider`` (``NOT_ON_MOTO``; a test fails if moto starts supporting one, so
the list stays exact). :func:`deployable_on_moto` drops those resources and turns each
reference to one into a stack parameter with a stand-in value (``Distribution`` ->
``E2STANDIN``, ``Distribution.DomainName`` -> ``DistributionDomainName``). What they
configure (private bucket, Origin Access Control, caching, headers) is checked on the parsed
template instead, and the OIDC provider is created through moto's IAM API and passed in as
``ExistingOidcProviderArn``, the path of an account that already trusts GitHub.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.client import BaseClient
from helpers import write_files
from s3_server import REGION, iam_auth_enforced, moto_server, set_fake_aws_env

from penguin_site.config import ROOT
from penguin_site.publish.content_types import IMMUTABLE, LIBRARY, MODERATE
from scripts import publish_s3

TEMPLATE = ROOT / "infra" / "site.yaml"
WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
README = ROOT / "README.md"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
TIMEOUT_S = 120

REPOSITORY = "octo-org/penguin-site"
PREFIX = "penguins"
OIDC_HOST = "token.actions.githubusercontent.com"
#: Resource types moto's CloudFormation cannot create (see the module docstring).
NOT_ON_MOTO = frozenset(
    {
        "AWS::S3::BucketPolicy",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::Function",
        "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::CloudFront::Distribution",
        "AWS::IAM::OIDCProvider",
    }
)
#: Values standing in for the dropped resources' references and attributes.
STAND_INS = {
    "Distribution": "E2STANDIN",
    "DistributionDomainName": "d111111abcdef8.cloudfront.net",
    "GitHubOidcProvider": f"arn:aws:iam::123456789012:oidc-provider/{OIDC_HOST}",
}
SITE = {
    "index.html": b"<!doctype html><title>Penguins</title>home",
    "eda.html": b"<!doctype html><title>EDA</title>plots",
    "site_libs/quarto-html/quarto.js": b"window.quarto = {};",
}


# --- the template, parsed ----------------------------------------------------------------------


def parse_template(text: str) -> dict[str, Any]:
    """The template as plain JSON data (``!Ref x`` -> ``{"Ref": "x"}``), via cfn-lint's parser."""
    from cfnlint.decode import decode_str  # here, not at the top: 6 s of collection per worker

    template, errors = decode_str(text)
    assert not errors, errors
    return json.loads(json.dumps(template))


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return parse_template(TEMPLATE.read_text(encoding="utf-8"))


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def only(template: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Properties of the one resource of ``kind``."""
    (resource,) = resources_of_type(template, kind).values()
    return resource["Properties"]


# --- (a) cfn-lint ------------------------------------------------------------------------------


#: A line the template holds -> the same line with a defect -> the cfn-lint rule that must flag it.
SEEDED_DEFECTS = {
    "runtime": ("Runtime: cloudfront-js-2.0", "Runtime: cloudfront-js-3.0", "E3030"),
    "unknown-resource": (
        "Resource: !GetAtt SiteBucket.Arn",
        "Resource: !GetAtt SiteBuckt.Arn",
        "E1010",
    ),
    "signing": ("SigningProtocol: sigv4", "SigningProtocol: sigv2", "E3031"),
    "viewer-protocol": (
        "ViewerProtocolPolicy: redirect-to-https",
        "ViewerProtocolPolicy: http",
        "E3030",
    ),
}


@pytest.fixture(scope="module")
def lint_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """cfn-lint's rule ids per template: the real one and one copy per seeded defect.

    One cfn-lint run for all of them (it takes seconds to start); informational checks
    included, so any finding at all on the real template fails.
    """
    folder = tmp_path_factory.mktemp("lint")
    text = TEMPLATE.read_text(encoding="utf-8")
    paths = {"template": TEMPLATE}
    for name, (written, seeded, _rule) in SEEDED_DEFECTS.items():
        assert written in text, name
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(text.replace(written, seeded, 1), encoding="utf-8")
    done = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--include-checks", "I", "--"]
        + [str(path) for path in paths.values()],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    # cfn-lint's exit code is a bit mask of finding levels (2, 4, 8); 1 means it crashed.
    assert done.returncode & 1 == 0, done.stderr
    findings: dict[str, list[str]] = {name: [] for name in paths}
    by_path = {str(path): name for name, path in paths.items()}
    for line in done.stdout.splitlines():
        path, _line, _column, _end_line, _end_column, rule, _message = line.split(":", 6)
        findings[by_path[path]].append(rule)
    return findings


def test_template_passes_cfn_lint(lint_findings: dict[str, list[str]]) -> None:
    assert lint_findings["template"] == []


@pytest.mark.parametrize("defect", SEEDED_DEFECTS)
def test_cfn_lint_catches_a_seeded_defect(lint_findings: dict[str, list[str]], defect: str) -> None:
    assert SEEDED_DEFECTS[defect][2] in lint_findings[defect]


# --- what moto cannot deploy, checked on the template ------------------------------------------


def test_bucket_is_private_and_readable_only_by_the_distribution(template: dict) -> None:
    bucket = only(template, "AWS::S3::Bucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    statements = only(template, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    distribution_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/"
        "${Distribution}"
    }
    for statement in (s for s in statements if s["Effect"] == "Allow"):
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert statement["Action"] in ("s3:GetObject", "s3:ListBucket")
        assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}
    (deny,) = (s for s in statements if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    oac = only(template, "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["SigningProtocol"], oac["SigningBehavior"]) == ("sigv4", "always")
    assert oac["OriginAccessControlOriginType"] == "s3"
    config = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["OriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert "OriginPath" not in origin, "the invalidated paths carry the prefix"


def max_age(cache_control: str) -> int:
    found = re.search(r"max-age=(\d+)", cache_control)
    return int(found.group(1)) if found else 0


def test_caching_follows_the_publishers_cache_control(template: dict) -> None:
    """MinTTL 0 lets ``no-cache`` pages revalidate; MaxTTL lets immutable assets live a year."""
    behavior = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    assert behavior["CachePolicyId"] == {"Ref": "CachePolicy"}
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    policy = only(template, "AWS::CloudFront::CachePolicy")["CachePolicyConfig"]
    assert policy["MinTTL"] == 0
    assert policy["MaxTTL"] == max(map(max_age, (IMMUTABLE, LIBRARY, MODERATE)))
    assert policy["DefaultTTL"] <= policy["MaxTTL"]
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}


def test_security_headers(template: dict) -> None:
    behavior = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"}
    headers = only(template, "AWS::CloudFront::ResponseHeadersPolicy")[
        "ResponseHeadersPolicyConfig"
    ]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert "ContentSecurityPolicy" not in headers, "not verified against the rendered site"


def test_deploy_role_may_do_exactly_the_publish(template: dict) -> None:
    """ListBucket on the prefix, Get/Put/Delete under it, one distribution's invalidation."""
    (policy,) = only(template, "AWS::IAM::Role")["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    grants = {
        tuple(sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])): s
        for s in statements
    }
    assert all(s["Effect"] == "Allow" for s in statements)
    assert set(grants) == {
        ("s3:ListBucket",),
        ("s3:DeleteObject", "s3:GetObject", "s3:PutObject"),
        ("cloudfront:CreateInvalidation",),
    }
    listing = grants[("s3:ListBucket",)]
    assert listing["Resource"] == {"Fn::GetAtt": ["SiteBucket", "Arn"]}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [{"Fn::Sub": "${SitePrefix}/*"}]}}
    objects = grants[("s3:DeleteObject", "s3:GetObject", "s3:PutObject")]
    assert objects["Resource"] == {"Fn::Sub": "${SiteBucket.Arn}/${SitePrefix}/*"}
    invalidation = grants[("cloudfront:CreateInvalidation",)]
    assert invalidation["Resource"]["Fn::Sub"].endswith(":distribution/${Distribution}")
    assert "*" not in json.dumps([s["Action"] for s in statements])


def test_trusted_subject_is_the_one_the_aws_jobs_present(template: dict) -> None:
    """GitHub's OIDC subject is `...:environment:NAME` for a job with an environment and
    `...:ref:refs/heads/main` otherwise: the role must name what the deploy job presents."""
    (statement,) = only(template, "AWS::IAM::Role")["AssumeRolePolicyDocument"]["Statement"]
    subject = statement["Condition"]["StringEquals"][f"{OIDC_HOST}:sub"]["Fn::Sub"]
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    aws_jobs = {
        job_id: job
        for job_id, job in jobs.items()
        if any(
            step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
            for step in job.get("steps", [])
        )
    }
    assert aws_jobs
    for job_id, job in aws_jobs.items():
        environment = job.get("environment")
        if environment is None:
            assert subject == "repo:${Repository}:ref:refs/heads/main", job_id
        else:
            name = environment["name"] if isinstance(environment, dict) else environment
            assert subject == f"repo:${{Repository}}:environment:{name}", job_id


# --- (b) the CloudFront Function in Node -------------------------------------------------------

RUNNER = """
const { readFileSync } = require("node:fs");
const code = readFileSync(process.argv[2], "utf8");
const handler = new Function(`${code}\\nreturn handler;`)();
const uris = JSON.parse(readFileSync(process.argv[3], "utf8"));
(async () => {
  const out = [];
  for (const uri of uris) {
    const event = {
      version: "1.0",
      context: { eventType: "viewer-request" },
      viewer: { ip: "192.0.2.1" },
      request: { method: "GET", uri, querystring: {}, headers: {}, cookies: {} },
    };
    out.push(await handler(event));
  }
  console.log(JSON.stringify(out));
})();
"""

HASHED_CSS = "site_libs/bootstrap/bootstrap-0521a3bd08ba11595b2234b38ff7fd9c.min.css"
#: URI a reader asks for -> ("rewrite", URI fetched from S3) or ("redirect", Location).
FUNCTION_CASES = [
    ("/", ("rewrite", "/index.html")),
    ("/penguins/", ("rewrite", "/penguins/index.html")),
    ("/penguins", ("redirect", "/penguins/")),
    ("/penguins/figures/", ("rewrite", "/penguins/figures/index.html")),
    ("/penguins/figures", ("redirect", "/penguins/figures/")),
    ("/penguins/eda.html", ("rewrite", "/penguins/eda.html")),
    ("/penguins/search.json", ("rewrite", "/penguins/search.json")),
    ("/penguins/model/model.skops", ("rewrite", "/penguins/model/model.skops")),
    (f"/penguins/{HASHED_CSS}", ("rewrite", f"/penguins/{HASHED_CSS}")),
    (
        "/penguins/site_libs/quarto-html/quarto.js",
        ("rewrite", "/penguins/site_libs/quarto-html/quarto.js"),
    ),
]


def function_code(template: Mapping[str, Any]) -> str:
    return only(template, "AWS::CloudFront::Function")["FunctionCode"]


def test_function_is_a_viewer_request_cloudfront_js_2_function(template: dict) -> None:
    function = only(template, "AWS::CloudFront::Function")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True
    assert len(function_code(template).encode()) <= 10_240, "CloudFront's code size limit"
    config = only(template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert association["FunctionARN"]["Fn::GetAtt"][0] == "FolderIndexFunction"


def test_function_maps_folder_paths_to_their_index(tmp_path: Path, template: dict) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the CloudFront Function runs in Node here)")
    (tmp_path / "function.js").write_text(function_code(template), encoding="utf-8")
    (tmp_path / "run.cjs").write_text(RUNNER, encoding="utf-8")
    (tmp_path / "uris.json").write_text(json.dumps([uri for uri, _ in FUNCTION_CASES]))

    done = subprocess.run(
        [node, "run.cjs", "function.js", "uris.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    got = []
    for answer in answers:
        if "statusCode" in answer:
            assert answer["statusCode"] == 301, answer
            got.append(("redirect", answer["headers"]["location"]["value"]))
        else:
            got.append(("rewrite", answer["uri"]))
    assert dict(zip([uri for uri, _ in FUNCTION_CASES], got, strict=True)) == dict(FUNCTION_CASES)


# --- (c) deployed on moto's server -------------------------------------------------------------


def attribute_parameter(name: str, attribute: str) -> str:
    """``Distribution`` + ``DomainName`` -> the stand-in parameter ``DistributionDomainName``."""
    return name + attribute.replace(".", "")


def without_dropped(node: Any, dropped: frozenset[str]) -> Any:
    """``node`` with each reference to a dropped resource turned into a parameter reference."""
    if isinstance(node, list):
        return [without_dropped(item, dropped) for item in node]
    if not isinstance(node, dict):
        return node
    if list(node) == ["Fn::GetAtt"] and node["Fn::GetAtt"][0] in dropped:
        name, attribute = node["Fn::GetAtt"]
        return {"Ref": attribute_parameter(name, attribute)}
    if list(node) == ["Fn::Sub"] and isinstance(node["Fn::Sub"], str):

        def substitute(found: re.Match[str]) -> str:
            name, attribute = found.group(1), found.group(2)
            return f"${{{attribute_parameter(name, attribute)}}}" if name in dropped else found[0]

        return {"Fn::Sub": re.sub(r"\$\{(\w+)\.([\w.]+)\}", substitute, node["Fn::Sub"])}
    return {key: without_dropped(value, dropped) for key, value in node.items()}


def deployable_on_moto(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template without the ``NOT_ON_MOTO`` resources; their references become parameters.

    A plain ``Ref`` to a dropped resource needs no rewriting: a parameter of the same name
    answers it. Every stand-in parameter must be given a value in ``STAND_INS``.
    """
    resources = template["Resources"]
    dropped = frozenset(k for k, r in resources.items() if r["Type"] in NOT_ON_MOTO)
    kept = {k: r for k, r in resources.items() if k not in dropped}
    deployable = without_dropped({**template, "Resources": kept}, dropped)
    text = json.dumps(deployable)
    needed = {
        name for name in STAND_INS if f'{{"Ref": "{name}"}}' in text or f"${{{name}}}" in text
    }
    deployable["Parameters"].update({name: {"Type": "String"} for name in needed})
    return deployable


def test_moto_cannot_create_exactly_the_dropped_types(template: dict) -> None:
    """If moto learns a type, deploy it for real: take it out of NOT_ON_MOTO."""
    from moto.cloudformation.parsing import get_model_map  # see parse_template

    types = {r["Type"] for r in template["Resources"].values()}
    assert {t for t in types if t not in get_model_map()} == NOT_ON_MOTO


def stored_policy(document: str | dict[str, Any]) -> dict[str, Any]:
    """A role's inline policy as moto answers it.

    moto's CloudFormation stores a role's inline policy as a dict, and GetRolePolicy then
    answers its Python ``repr`` (not JSON), which moto's own IAM evaluation cannot read either.
    """
    return document if isinstance(document, dict) else ast.literal_eval(document)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def client(service: str, endpoint: str) -> BaseClient:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def deploy(endpoint: str, template: Mapping[str, Any], name: str, **parameters: str) -> dict:
    """Create the stack on moto; return ``{output key: value}``."""
    deployable = deployable_on_moto(template)
    values = {"Repository": REPOSITORY, "SitePrefix": PREFIX, **parameters}
    values.update({k: v for k, v in STAND_INS.items() if k in deployable["Parameters"]})
    cloudformation = client("cloudformation", endpoint)
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=json.dumps(deployable),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


@pytest.fixture(scope="module")
def provider_arn(endpoint: str) -> str:
    """GitHub's OIDC provider, created once per account as an existing account has it."""
    iam = client("iam", endpoint)
    return iam.create_open_id_connect_provider(
        Url=f"https://{OIDC_HOST}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["0" * 40]
    )["OpenIDConnectProviderArn"]


@pytest.fixture(scope="module")
def stack(endpoint: str, template: dict, provider_arn: str) -> dict[str, str]:
    return deploy(endpoint, template, "penguin-site", ExistingOidcProviderArn=provider_arn)


def role_name(stack: Mapping[str, str]) -> str:
    return stack["AwsRoleArn"].rsplit("/", 1)[1]


def test_stack_outputs(stack: dict[str, str], endpoint: str) -> None:
    assert stack["AwsRegion"] == REGION
    assert stack["S3Prefix"] == PREFIX
    assert stack["CloudfrontDistributionId"] == STAND_INS["Distribution"]
    assert stack["SiteUrl"] == f"https://{STAND_INS['DistributionDomainName']}/{PREFIX}/"
    assert stack["AwsRoleArn"].startswith("arn:aws:iam::")
    encryption = client("s3", endpoint).get_bucket_encryption(Bucket=stack["S3Bucket"])
    (rule,) = encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_role_trusts_only_this_repositorys_main_branch(
    stack: dict[str, str], endpoint: str, provider_arn: str
) -> None:
    role = client("iam", endpoint).get_role(RoleName=role_name(stack))["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Federated": provider_arn}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            f"{OIDC_HOST}:aud": "sts.amazonaws.com",
            f"{OIDC_HOST}:sub": f"repo:{REPOSITORY}:ref:refs/heads/main",
        }
    }


def test_without_an_existing_provider_the_role_trusts_the_one_the_stack_creates(
    endpoint: str, template: dict
) -> None:
    outputs = deploy(endpoint, template, "penguin-site-new-provider")
    role = client("iam", endpoint).get_role(RoleName=role_name(outputs))["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Federated": STAND_INS["GitHubOidcProvider"]}


@pytest.fixture
def role_credentials(
    stack: dict[str, str], endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The environment of the deploy job after it took the role (moto's STS, no token check)."""
    iam = client("iam", endpoint)
    name = role_name(stack)
    (policy_name,) = iam.list_role_policies(RoleName=name)["PolicyNames"]
    stored = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
    # Put the same policy back as JSON so moto's IAM evaluation can read it (stored_policy).
    iam.put_role_policy(
        RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(stored_policy(stored))
    )
    credentials = client("sts", endpoint).assume_role_with_web_identity(
        RoleArn=stack["AwsRoleArn"],
        RoleSessionName="penguin-site-deploy",
        WebIdentityToken="a-github-oidc-token",
    )["Credentials"]
    set_fake_aws_env(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["SessionToken"])


def publish(site: Path, endpoint: str, bucket: str, prefix: str) -> int:
    return publish_s3.main(
        [str(site), "--bucket", bucket, "--prefix", prefix, "--endpoint-url", endpoint]
    )


@pytest.mark.usefixtures("role_credentials")
def test_the_role_publishes_the_site_into_the_stacks_bucket(
    tmp_path: Path, stack: dict[str, str], endpoint: str, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)

    with iam_auth_enforced(endpoint):
        first = publish(site, endpoint, stack["S3Bucket"], stack["S3Prefix"])
        second = publish(site, endpoint, stack["S3Bucket"], stack["S3Prefix"])

    assert (first, second) == (0, 0), capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"{len(SITE)} uploaded, 0 replaced, 0 deleted, 0 unchanged" in out
    assert f"0 uploaded, 0 replaced, 0 deleted, {len(SITE)} unchanged" in out
    listing = client("s3", endpoint).list_objects_v2(Bucket=stack["S3Bucket"])["Contents"]
    assert sorted(item["Key"] for item in listing) == sorted(f"{PREFIX}/{k}" for k in SITE)


@pytest.mark.usefixtures("role_credentials")
def test_the_role_cannot_write_outside_the_prefix(
    tmp_path: Path, stack: dict[str, str], endpoint: str, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)

    with iam_auth_enforced(endpoint):
        code = publish(site, endpoint, stack["S3Bucket"], "elsewhere")

    assert code == 1
    assert "access denied: cannot upload" in capsys.readouterr().err
    listing = client("s3", endpoint).list_objects_v2(Bucket=stack["S3Bucket"], Prefix="elsewhere")
    assert listing.get("Contents", []) == []


# --- (d) the outputs are the workflow's repository variables -----------------------------------


def deploy_job_variables() -> set[str]:
    """Repository variables (``vars.X``) the ``deploy-s3`` job reads."""
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["deploy-s3"]
    return set(re.findall(r"\bvars\.([A-Z0-9_]+)", json.dumps(job)))


def readme_variables_loop() -> str:
    """The README's bash block that sets the repository variables from the stack's outputs."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    (block,) = (b for b in blocks if "gh variable set" in b)
    return block


FAKE_AWS = """#!/bin/bash
case "$*" in
  *"cloudformation describe-stacks"*"--output text"*) cat "$FAKE_AWS_OUTPUTS" ;;
  *) echo "fake aws: unexpected call: aws $*" >&2; exit 1 ;;
esac
"""
FAKE_GH = """#!/bin/bash
if [ "$#" -ne 5 ] || [ "$1 $2 $4" != "variable set --body" ]; then
  echo "fake gh: unexpected call: gh $*" >&2; exit 1
fi
printf '%s=%s\\n' "$3" "$5" >> "$FAKE_GH_LOG"
"""


def test_readme_loop_sets_exactly_the_variables_the_deploy_job_reads(
    tmp_path: Path, stack: dict[str, str]
) -> None:
    """The stack's outputs, as `aws ... --output text` prints them, through the README's loop."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in (("aws", FAKE_AWS), ("gh", FAKE_GH)):
        (bin_dir / name).write_text(script, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    outputs = tmp_path / "outputs.txt"
    outputs.write_text("".join(f"{key}\t{value}\n" for key, value in stack.items()))
    log = tmp_path / "gh.log"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_AWS_OUTPUTS": str(outputs),
        "FAKE_GH_LOG": str(log),
    }

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_variables_loop()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    variables = dict(line.split("=", 1) for line in log.read_text().splitlines())
    assert set(variables) == deploy_job_variables()
    assert variables["PUBLISH_TARGET"] == "s3"
    assert variables["AWS_ROLE_ARN"] == stack["AwsRoleArn"]
    assert variables["S3_BUCKET"] == stack["S3Bucket"]
    assert variables["SITE_URL"] == stack["SiteUrl"]
    assert variables["CLOUDFRONT_DISTRIBUTION_ID"] == stack["CloudfrontDistributionId"]
