"""scripts/publish_s3.py against a real S3-protocol server (moto server mode on 127.0.0.1).

Every test calls the script's ``main([...])`` the way CI runs it and checks the exit code, the
message and what the bucket really holds afterwards, read back over HTTP.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from botocore.client import BaseClient
from helpers import write_files
from s3_server import (
    REGION,
    FlakyProxy,
    create_publisher_key,
    iam_auth_enforced,
    moto_server,
    s3_client,
    set_fake_aws_env,
    unique_bucket_name,
)

from penguin_site.publish.s3 import (
    PublishError,
    S3Target,
    invalidation_paths,
    make_s3_client,
    publish_site,
)
from scripts import publish_s3

BOOTSTRAP_CSS = "site_libs/bootstrap/bootstrap-0521a3bd08ba11595b2234b38ff7fd9c.min.css"

#: A small rendered site: the pages Quarto makes for this project plus typical assets.
SITE: Mapping[str, bytes] = {
    "index.html": b"<!doctype html><title>Penguins</title>home",
    "eda.html": b"<!doctype html><title>EDA</title>plots",
    "model.html": b"<!doctype html><title>Model</title>coefficients",
    "search.json": b'[{"objectID": "index.html", "title": "Penguins"}]',
    "site_libs/quarto-html/quarto.js": b"window.quarto = {};",
    BOOTSTRAP_CSS: b"body { color: #222; }",
    "figures/target-vs-x.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
}


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    set_fake_aws_env(monkeypatch, tmp_path)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def client(endpoint: str) -> BaseClient:
    return s3_client(endpoint)


@pytest.fixture
def bucket(client: BaseClient) -> str:
    """A fresh versioned bucket: object versions show whether a file was uploaded again."""
    name = unique_bucket_name()
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def publish(site: Path, endpoint: str, bucket: str, *options: str) -> int:
    return publish_s3.main([str(site), "--bucket", bucket, "--endpoint-url", endpoint, *options])


def bucket_contents(client: BaseClient, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every live object under ``prefix`` (key relative to it) with its bytes."""
    listing = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {
        item["Key"][len(prefix) :]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listing
    }


def version_counts(client: BaseClient, bucket: str) -> dict[str, int]:
    """How many times each key was written (delete markers not counted)."""
    counts: dict[str, int] = {}
    for version in client.list_object_versions(Bucket=bucket).get("Versions", []):
        counts[version["Key"]] = counts.get(version["Key"], 0) + 1
    return counts


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- publishing


def test_first_publish_uploads_every_file_with_its_hash(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)

    assert publish(site, endpoint, bucket) == 0

    assert bucket_contents(client, bucket) == dict(SITE)
    for relpath, content in SITE.items():
        metadata = client.head_object(Bucket=bucket, Key=relpath)["Metadata"]
        assert metadata["sha256"] == hashlib.sha256(content).hexdigest()
    out = capsys.readouterr().out
    assert f"{len(SITE)} uploaded, 0 replaced, 0 deleted, 0 unchanged" in out
    assert "uploaded  index.html" in out


def test_second_publish_of_same_site_uploads_nothing(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)
    changed = tmp_path / "changed.txt"
    assert publish(site, endpoint, bucket) == 0
    capsys.readouterr()

    assert publish(site, endpoint, bucket, "--changed-paths-file", str(changed)) == 0

    assert f"0 uploaded, 0 replaced, 0 deleted, {len(SITE)} unchanged" in capsys.readouterr().out
    assert version_counts(client, bucket) == dict.fromkeys(SITE, 1)
    assert read_lines(changed) == []


def test_changed_files_are_replaced_and_listed_for_invalidation(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)
    changed = tmp_path / "changed.txt"
    assert publish(site, endpoint, bucket) == 0
    (site / "eda.html").write_bytes(b"<!doctype html>new plots")
    (site / "index.html").write_bytes(b"<!doctype html>new home")
    (site / "extra.html").write_bytes(b"<!doctype html>a new page")
    capsys.readouterr()

    assert publish(site, endpoint, bucket, "--changed-paths-file", str(changed)) == 0

    contents = bucket_contents(client, bucket)
    assert contents["eda.html"] == b"<!doctype html>new plots"
    assert contents["index.html"] == b"<!doctype html>new home"
    assert contents["extra.html"] == b"<!doctype html>a new page"
    out = capsys.readouterr().out
    assert "replaced  eda.html" in out
    assert "uploaded  extra.html" in out
    assert f"1 uploaded, 2 replaced, 0 deleted, {len(SITE) - 2} unchanged" in out
    # New objects need no CDN invalidation; a changed index.html is also served as "/".
    assert read_lines(changed) == ["/", "/eda.html", "/index.html"]
    assert version_counts(client, bucket)["model.html"] == 1


def test_removed_file_is_deleted(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)
    changed = tmp_path / "changed.txt"
    assert publish(site, endpoint, bucket) == 0
    (site / "model.html").unlink()
    (site / "figures" / "target-vs-x.png").unlink()
    capsys.readouterr()

    assert publish(site, endpoint, bucket, "--changed-paths-file", str(changed)) == 0

    assert set(bucket_contents(client, bucket)) == set(SITE) - {
        "model.html",
        "figures/target-vs-x.png",
    }
    assert "deleted   model.html" in capsys.readouterr().out
    assert read_lines(changed) == ["/figures/target-vs-x.png", "/model.html"]


def test_changed_cache_policy_alone_replaces_the_object(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient
) -> None:
    """Same bytes, stale headers (e.g. after the policy table changed): headers are fixed."""
    site = write_files(tmp_path / "site", SITE)
    assert publish(site, endpoint, bucket) == 0
    client.copy_object(
        Bucket=bucket,
        Key="eda.html",
        CopySource={"Bucket": bucket, "Key": "eda.html"},
        MetadataDirective="REPLACE",
        Metadata={"sha256": hashlib.sha256(SITE["eda.html"]).hexdigest()},
        ContentType="text/html; charset=utf-8",
        CacheControl="public, max-age=31536000",
    )

    assert publish(site, endpoint, bucket) == 0

    assert client.head_object(Bucket=bucket, Key="eda.html")["CacheControl"] == "no-cache"


# Expected headers are spelled out, not computed from the table under test.
HEADER_TABLE = [
    ("index.html", "text/html; charset=utf-8", "no-cache"),
    ("eda.html", "text/html; charset=utf-8", "no-cache"),
    ("search.json", "application/json; charset=utf-8", "no-cache"),
    ("listings.json", "application/json; charset=utf-8", "no-cache"),
    ("coefficients.json", "application/json; charset=utf-8", "public, max-age=3600"),
    (BOOTSTRAP_CSS, "text/css; charset=utf-8", "public, max-age=31536000, immutable"),
    (
        "site_libs/quarto-html/quarto-syntax-highlighting-0123456789abcdef0123456789abcdef.css",
        "text/css; charset=utf-8",
        "public, max-age=31536000, immutable",
    ),
    ("site_libs/bootstrap/bootstrap-icons.css", "text/css; charset=utf-8", "public, max-age=86400"),
    ("site_libs/quarto-html/quarto.js", "text/javascript; charset=utf-8", "public, max-age=86400"),
    (
        "site_libs/quarto-ojs/quarto-ojs.mjs",
        "text/javascript; charset=utf-8",
        "public, max-age=86400",
    ),
    (
        "site_libs/clipboard/clipboard.min.js.map",
        "application/json; charset=utf-8",
        "public, max-age=86400",
    ),
    ("site_libs/bootstrap/bootstrap-icons.woff", "font/woff", "public, max-age=86400"),
    ("site_libs/fonts/font.woff2", "font/woff2", "public, max-age=86400"),
    ("site_libs/fonts/font.ttf", "font/ttf", "public, max-age=86400"),
    ("site_libs/fonts/font.eot", "application/vnd.ms-fontobject", "public, max-age=86400"),
    ("figures/target-vs-x.png", "image/png", "public, max-age=3600"),
    ("figures/photo.jpg", "image/jpeg", "public, max-age=3600"),
    ("figures/photo.JPEG", "image/jpeg", "public, max-age=3600"),
    ("figures/anim.gif", "image/gif", "public, max-age=3600"),
    ("figures/pic.webp", "image/webp", "public, max-age=3600"),
    ("figures/logo.svg", "image/svg+xml; charset=utf-8", "public, max-age=3600"),
    ("favicon.ico", "image/x-icon", "public, max-age=3600"),
    ("robots.txt", "text/plain; charset=utf-8", "public, max-age=3600"),
    ("sitemap.xml", "application/xml; charset=utf-8", "no-cache"),
    ("build.json", "application/json; charset=utf-8", "no-cache"),
    ("downloads/build.json", "application/json; charset=utf-8", "public, max-age=3600"),
    ("data/penguins.csv", "text/csv; charset=utf-8", "public, max-age=3600"),
    ("model/model.skops", "application/octet-stream", "public, max-age=3600"),
    ("downloads/unknown.weird", "application/octet-stream", "public, max-age=3600"),
    ("LICENSE", "application/octet-stream", "public, max-age=3600"),
]


@pytest.fixture(scope="module")
def typed_site_bucket(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One publish of a site holding one file per row of HEADER_TABLE."""
    scratch = tmp_path_factory.mktemp("typed")
    site = write_files(scratch / "site", {path: path.encode() for path, _, _ in HEADER_TABLE})
    bucket = unique_bucket_name()
    s3_client(endpoint).create_bucket(Bucket=bucket)
    with pytest.MonkeyPatch.context() as monkeypatch:
        set_fake_aws_env(monkeypatch, scratch)
        assert publish(site, endpoint, bucket) == 0
    return bucket


@pytest.mark.parametrize(("relpath", "content_type", "cache_control"), HEADER_TABLE)
def test_served_headers_of_each_file_type(
    endpoint: str, typed_site_bucket: str, relpath: str, content_type: str, cache_control: str
) -> None:
    head = s3_client(endpoint).head_object(Bucket=typed_site_bucket, Key=relpath)
    assert head["ContentType"] == content_type
    assert head["CacheControl"] == cache_control


def test_dry_run_prints_the_plan_and_changes_nothing(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)
    changed = tmp_path / "changed.txt"
    assert publish(site, endpoint, bucket) == 0
    (site / "eda.html").write_bytes(b"<!doctype html>new plots")
    (site / "model.html").unlink()
    (site / "extra.html").write_bytes(b"<!doctype html>a new page")
    before = (bucket_contents(client, bucket), version_counts(client, bucket))
    capsys.readouterr()

    code = publish(site, endpoint, bucket, "--dry-run", "--changed-paths-file", str(changed))

    assert code == 0
    assert (bucket_contents(client, bucket), version_counts(client, bucket)) == before
    lines = capsys.readouterr().out.splitlines()
    page_headers = "(Content-Type: text/html; charset=utf-8, Cache-Control: no-cache)"
    assert f"upload    extra.html  {page_headers}" in lines
    assert f"replace   eda.html  {page_headers}" in lines
    assert "delete    model.html" in lines
    assert "unchanged index.html" in lines
    assert "dry run, nothing changed" in lines[-1]
    assert f"1 uploaded, 1 replaced, 1 deleted, {len(SITE) - 2} unchanged" in lines[-1]
    assert read_lines(changed) == []


def test_dry_run_on_empty_bucket_creates_nothing(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient
) -> None:
    site = write_files(tmp_path / "site", SITE)

    assert publish(site, endpoint, bucket, "--dry-run") == 0

    assert bucket_contents(client, bucket) == {}


def test_publish_under_prefix_touches_only_that_prefix(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient
) -> None:
    neighbours = {"penguins-old/index.html": b"old site", "other/keep.txt": b"keep"}
    for key, body in neighbours.items():
        client.put_object(Bucket=bucket, Key=key, Body=body)
    client.put_object(Bucket=bucket, Key="penguins/stale.html", Body=b"from an older render")
    site = write_files(tmp_path / "site", SITE)
    changed = tmp_path / "changed.txt"

    assert publish(site, endpoint, bucket, "--prefix", "/penguins/") == 0
    (site / "index.html").write_bytes(b"<!doctype html>new home")
    (site / "model.html").unlink()
    assert (
        publish(
            site, endpoint, bucket, "--prefix", "penguins", "--changed-paths-file", str(changed)
        )
        == 0
    )

    expected = {**SITE, "index.html": b"<!doctype html>new home"}
    del expected["model.html"]
    assert bucket_contents(client, bucket, "penguins/") == expected
    for key, body in neighbours.items():
        assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    assert read_lines(changed) == ["/penguins/", "/penguins/index.html", "/penguins/model.html"]


@pytest.mark.parametrize("endpoint_variable", ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"])
def test_settings_come_from_environment(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    monkeypatch: pytest.MonkeyPatch,
    endpoint_variable: str,
) -> None:
    site = write_files(tmp_path / "site", SITE)
    monkeypatch.setenv("PUBLISH_S3_BUCKET", bucket)
    monkeypatch.setenv("PUBLISH_S3_PREFIX", "from-env")
    monkeypatch.setenv(endpoint_variable, endpoint)
    monkeypatch.setenv("AWS_REGION", REGION)

    assert publish_s3.main([str(site)]) == 0

    assert bucket_contents(client, bucket, "from-env/") == dict(SITE)


# --------------------------------------------------------------------------- failures


def test_upload_failing_midway_deletes_nothing_and_keeps_old_pages(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """The server rejects one upload (an IAM policy denies PutObject on eda.html).

    Assets go before pages, so the new quarto.js is already replaced when eda.html fails;
    index.html (after eda.html) keeps its old content and model.html is not deleted.
    """
    site = write_files(tmp_path / "site", SITE)
    changed = tmp_path / "changed.txt"
    assert publish(site, endpoint, bucket) == 0
    (site / "site_libs/quarto-html/quarto.js").write_bytes(b"window.quarto = {v: 2};")
    (site / "eda.html").write_bytes(b"<!doctype html>new plots")
    (site / "index.html").write_bytes(b"<!doctype html>new home")
    (site / "model.html").unlink()
    key_id, secret = create_publisher_key(endpoint, deny_put=[f"{bucket}/eda.html"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    capsys.readouterr()

    with iam_auth_enforced(endpoint):
        code = publish(site, endpoint, bucket, "--changed-paths-file", str(changed))

    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"cannot upload s3://{bucket}/eda.html" in err
    assert "access denied" in err
    assert "stopped after 1 of 3 uploads, nothing deleted" in err
    assert "Traceback" not in err
    live = bucket_contents(client, bucket)
    assert live["model.html"] == SITE["model.html"]
    assert live["eda.html"] == SITE["eda.html"]
    assert live["index.html"] == SITE["index.html"]
    assert live["site_libs/quarto-html/quarto.js"] == b"window.quarto = {v: 2};"
    # What did change online is still reported, so the CDN can be invalidated for it.
    assert read_lines(changed) == ["/site_libs/quarto-html/quarto.js"]


def build_record(commit: str, pages: Mapping[str, bytes]) -> bytes:
    """A stand-in ``build.json``: which commit, and the digest of each page it claims."""
    digests = {name: hashlib.sha256(body).hexdigest() for name, body in pages.items()}
    return json.dumps({"commit": commit, "pages": digests}).encode()


def test_build_record_goes_online_after_every_page(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient
) -> None:
    """build.json sorts first by name, yet it is the last upload, and is never cached."""
    pages = {name: body for name, body in SITE.items() if name.endswith(".html")}
    site = write_files(tmp_path / "site", {**SITE, "build.json": build_record("a" * 40, pages)})
    log: list[str] = []

    publish_site(
        site,
        S3Target.parse(bucket),
        make_s3_client(endpoint_url=endpoint, region=REGION),
        log=log.append,
    )

    sent = [line.split()[1] for line in log]
    assert sent[-1] == "build.json"
    assert set(sent[:-1]) == set(SITE)
    assert client.head_object(Bucket=bucket, Key="build.json")["CacheControl"] == "no-cache"


def test_failed_publish_leaves_the_old_build_record_online(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page upload the server refuses: the live build.json still names the old build,
    so it never claims a page that did not go online (the smoke test then sees the old one).
    """
    old_record = build_record("a" * 40, {"index.html": SITE["index.html"]})
    site = write_files(tmp_path / "site", {**SITE, "build.json": old_record})
    assert publish(site, endpoint, bucket) == 0
    (site / "model.html").write_bytes(b"<!doctype html>new coefficients")
    new_record = build_record("b" * 40, {"model.html": b"<!doctype html>new coefficients"})
    (site / "build.json").write_bytes(new_record)
    key_id, secret = create_publisher_key(endpoint, deny_put=[f"{bucket}/model.html"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)

    with iam_auth_enforced(endpoint):
        assert publish(site, endpoint, bucket) == 1

    live = bucket_contents(client, bucket)
    assert live["build.json"] == old_record
    assert live["model.html"] == SITE["model.html"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda path: path.unlink(), "cannot read site file"),
        (lambda path: path.write_bytes(b"re-rendered meanwhile"), "changed while publishing"),
    ],
    ids=["file-vanished", "file-rewritten"],
)
def test_site_file_changing_after_planning_stops_before_deleting(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    change: object,
    reason: str,
) -> None:
    """A render still writing the folder: the file read for upload is not the one planned.

    The change is made right after the first upload (through the progress log), so the
    plan was made from the old file and the upload of ``model.html`` meets the new state.
    """
    assert callable(change)
    client.put_object(Bucket=bucket, Key="stale.html", Body=b"still online")
    site = write_files(tmp_path / "site", SITE)
    target = S3Target.parse(bucket)
    s3 = make_s3_client(endpoint_url=endpoint, region=REGION)
    log: list[str] = []

    def log_and_change(line: str) -> None:
        if not log:
            change(site / "model.html")
        log.append(line)

    with pytest.raises(PublishError, match=reason) as failure:
        publish_site(site, target, s3, log=log_and_change)

    assert "site/model.html" in str(failure.value)
    assert "nothing deleted" in str(failure.value)
    live = bucket_contents(client, bucket)
    assert live["stale.html"] == b"still online"
    assert "model.html" not in live
    assert "search.json" not in live  # after model.html in page order: never sent
    assert [line.split()[1] for line in log] == [
        "figures/target-vs-x.png",
        BOOTSTRAP_CSS,
        "site_libs/quarto-html/quarto.js",
        "eda.html",
        "index.html",
    ]


def test_bucket_that_does_not_exist(
    tmp_path: Path, endpoint: str, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)
    missing = unique_bucket_name()

    assert publish(site, endpoint, missing) == 1

    err = capsys.readouterr().err
    assert f"bucket '{missing}' does not exist" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("options", [(), ("--dry-run",)], ids=["publish", "dry-run"])
@pytest.mark.parametrize(
    ("credentials", "code"),
    [("unknown-key", "InvalidAccessKeyId"), ("wrong-secret", "SignatureDoesNotMatch")],
)
def test_credentials_refused(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    credentials: str,
    code: str,
    options: tuple[str, ...],
) -> None:
    """Refused credentials stop a dry run too: only missing ones fall back to a local plan."""
    site = write_files(tmp_path / "site", SITE)
    client.put_object(Bucket=bucket, Key="live.html", Body=b"live")
    key_id, _secret = create_publisher_key(endpoint)
    if credentials == "wrong-secret":
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")

    with iam_auth_enforced(endpoint):
        exit_code = publish(site, endpoint, bucket, *options)

    assert exit_code == 1
    err = capsys.readouterr().err
    assert f"credentials refused by the S3 endpoint ({code}" in err
    assert err.count("\n") == 1
    assert bucket_contents(client, bucket) == {"live.html": b"live"}


def test_no_credentials_at_all(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    site = write_files(tmp_path / "site", SITE)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    assert publish(site, endpoint, bucket) == 1

    assert "no AWS credentials found" in capsys.readouterr().err


def remove_every_credential_source(monkeypatch: pytest.MonkeyPatch, scratch: Path) -> None:
    """No AWS_* variable, empty config and credentials files, no instance metadata lookup."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        empty = scratch / name.lower()
        empty.write_text("")
        monkeypatch.setenv(name, str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_dry_run_without_any_credentials_lists_the_uploads_and_says_why(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """A newcomer's first try, before any AWS setup: keys and headers, exit 0, bucket untouched."""
    site = write_files(tmp_path / "site", SITE)
    remove_every_credential_source(monkeypatch, tmp_path)

    code = publish(site, endpoint, bucket, "--prefix", "penguins", "--dry-run")

    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.err == ""
    lines = out.out.splitlines()
    assert lines[0].startswith("not compared with the bucket: no AWS credentials found: set ")
    uploads = [line for line in lines if line.startswith("upload ")]
    assert len(uploads) == len(SITE)
    assert (
        "upload    penguins/index.html  "
        "(Content-Type: text/html; charset=utf-8, Cache-Control: no-cache)"
    ) in uploads
    assert (
        f"upload    penguins/{BOOTSTRAP_CSS}  (Content-Type: text/css; charset=utf-8, "
        "Cache-Control: public, max-age=31536000, immutable)"
    ) in uploads
    assert (
        "upload    penguins/figures/target-vs-x.png  "
        "(Content-Type: image/png, Cache-Control: public, max-age=3600)"
    ) in uploads
    assert not [line for line in lines if line.startswith(("replace", "delete", "unchanged"))]
    assert lines[-1] == (
        f"dry run, nothing changed: {site} -> s3://{bucket}/penguins/ would be "
        f"{len(SITE)} uploaded at most (not compared with the bucket)"
    )
    assert bucket_contents(client, bucket) == {}


def make_missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such-site"


def make_empty(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def make_file(tmp_path: Path) -> Path:
    (tmp_path / "site.html").write_text("not a folder")
    return tmp_path / "site.html"


def make_without_index(tmp_path: Path) -> Path:
    return write_files(tmp_path / "repo", {"README.md": b"# not a site", "src/x.py": b""})


@pytest.mark.parametrize(
    ("make_site", "message"),
    [
        (make_missing, "no-such-site does not exist: render the site first"),
        (make_empty, "empty is empty: render the site first"),
        (make_file, "site.html is not a folder"),
        (make_without_index, "repo has no index.html: is it a rendered site?"),
    ],
)
def test_bad_site_folder_publishes_nothing(
    tmp_path: Path,
    endpoint: str,
    bucket: str,
    client: BaseClient,
    capsys: pytest.CaptureFixture,
    make_site: object,
    message: str,
) -> None:
    assert callable(make_site)
    site = make_site(tmp_path)
    client.put_object(Bucket=bucket, Key="index.html", Body=b"live")

    assert publish(site, endpoint, bucket) == 1

    err = capsys.readouterr().err
    assert f"publish_s3: error: site folder {tmp_path}/{message}" in err
    assert bucket_contents(client, bucket) == {"index.html": b"live"}


def test_missing_bucket_setting_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    site = write_files(tmp_path / "site", SITE)

    with pytest.raises(SystemExit) as stop:
        publish_s3.main([str(site)])

    assert stop.value.code == 2
    assert "pass --bucket or set PUBLISH_S3_BUCKET" in capsys.readouterr().err


# --------------------------------------------------------------------------- retries


def test_transient_server_errors_are_retried(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient
) -> None:
    site = write_files(tmp_path / "site", SITE)

    with FlakyProxy(endpoint, failures=2) as proxy:
        code = publish(site, proxy.endpoint, bucket, "--max-attempts", "3")

    assert code == 0
    assert proxy.failures_sent == 2
    assert proxy.puts_seen == len(SITE) + 2
    assert bucket_contents(client, bucket) == dict(SITE)


def test_persistent_server_errors_stop_after_the_retries(
    tmp_path: Path, endpoint: str, bucket: str, client: BaseClient, capsys: pytest.CaptureFixture
) -> None:
    client.put_object(Bucket=bucket, Key="stale.html", Body=b"still online")
    site = write_files(tmp_path / "site", SITE)

    with FlakyProxy(endpoint, failures=1000) as proxy:
        code = publish(site, proxy.endpoint, bucket, "--max-attempts", "2")

    assert code == 1
    assert proxy.puts_seen == 2  # the first upload, tried twice, then the publish stops
    err = capsys.readouterr().err
    assert f"cannot upload s3://{bucket}/figures/target-vs-x.png: ServiceUnavailable" in err
    assert bucket_contents(client, bucket) == {"stale.html": b"still online"}


def test_unreachable_endpoint(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    site = write_files(tmp_path / "site", SITE)

    code = publish(site, f"http://127.0.0.1:{closed_port}", "any-bucket", "--max-attempts", "1")

    assert code == 1
    err = capsys.readouterr().err
    assert "cannot list s3://any-bucket/: Could not connect to the endpoint URL" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("keys", "paths"),
    [
        (["index.html"], ["/", "/index.html"]),
        (["site/about/index.html"], ["/site/about/", "/site/about/index.html"]),
        (["site/a b.html"], ["/site/a%20b.html"]),
        ([], []),
    ],
)
def test_invalidation_paths(keys: list[str], paths: list[str]) -> None:
    assert invalidation_paths(keys) == paths


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", ""), ("/", ""), ("/penguins/", "penguins"), ("a/b", "a/b")],
)
def test_prefix_is_normalised(prefix: str, expected: str) -> None:
    assert S3Target.parse("bucket", prefix).prefix == expected


@pytest.mark.parametrize("prefix", ["a//b", "a/../b", "./a"])
def test_prefix_with_empty_or_dot_segments_is_refused(prefix: str) -> None:
    with pytest.raises(PublishError, match="segment"):
        S3Target.parse("bucket", prefix)
