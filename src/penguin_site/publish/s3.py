"""Publish a rendered site folder to S3 or any S3-compatible store, comparing by content hash.

The module reads top to bottom in the order a publish runs:

1. **plan**: hash every local file and look up its headers; list the objects under the prefix;
   read the stored hash and headers of the objects that exist on both sides. Each file is then
   *upload* (new key), *replace* (content or headers differ) or *unchanged*; each object no
   longer in the site is *delete*.
2. **transfer**: upload new and replaced files, assets before pages and the build record
   (``build.json``) after everything, stopping at the first failure: a reader (or the smoke
   test) never sees a ``build.json`` that claims pages not yet online.
3. **delete**: remove stale objects, only once every upload has succeeded, so a failed publish
   never takes a page offline.

Why a SHA-256 in object metadata (``x-amz-meta-sha256``) and not the ETag: the ETag is the
MD5 of the content only for single-part uploads without SSE-KMS/SSE-C encryption (a multipart
upload, a KMS-encrypted bucket or some S3-compatible stores give something else), and it says
nothing about headers, so a change to the cache policy in :mod:`penguin_site.publish.content_types`
would never reach files already published. Comparing hash + Content-Type + Cache-Control
catches both. The price is one HEAD request per object present on both sides, run in a small
thread pool. An object without the metadata (uploaded by another tool) is replaced once.

A dry run needs no credentials: without any it cannot compare with the bucket, so it lists
every file as an upload with its headers and says why it could not compare (a newcomer can try
it before any AWS setup). With credentials it reads the bucket (``s3:ListBucket`` on the
prefix, ``s3:GetObject`` for the HEADs) and prints the real plan.

Transient errors (throttling, 5xx, dropped connections) are retried by botocore's "standard"
retry mode with exponential backoff and jitter; other errors become a :class:`PublishError`
whose message is one line naming the bucket, folder or key at fault.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from penguin_site.config import BUILD_RECORD
from penguin_site.files import sha256_bytes, sha256_file
from penguin_site.publish.content_types import REVALIDATE, ObjectHeaders, headers_for

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "PublishError",
    "S3Target",
    "explained",
    "invalidation_paths",
    "make_s3_client",
    "publish_site",
    "summary_line",
    "transfer",
    "write_changed_paths",
]


#: User-metadata key holding the SHA-256 of the object's content (``x-amz-meta-sha256``).
SHA256_METADATA_KEY = "sha256"
#: Attempts per S3 request, first try included (botocore "standard" retry mode).
DEFAULT_MAX_ATTEMPTS = 5
#: Concurrent HEAD requests while planning (boto3 clients are thread-safe).
HEAD_WORKERS = 8
#: Most keys one DeleteObjects request accepts.
DELETE_BATCH_SIZE = 1000
#: A site folder without this file is not a rendered site; publishing it would delete the live one.
SITE_ENTRY_PAGE = "index.html"
#: S3 error codes meaning the credentials themselves were rejected (not merely lacking rights).
CREDENTIAL_ERROR_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
    }
)
NO_SUCH_BUCKET_CODES = frozenset({"NoSuchBucket"})
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "403"})
#: What HEAD answers for a key deleted since the listing (HEAD responses have no error body).
MISSING_OBJECT_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class PublishError(Exception):
    """A publish that stopped; ``str()`` is one line saying what is wrong.

    ``changed_keys`` lists the objects already replaced or deleted before the stop, so the
    caller can still invalidate them in a CDN (a later publish sees them as unchanged).
    """

    def __init__(self, message: str, changed_keys: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.changed_keys: tuple[str, ...] = tuple(changed_keys)


@dataclass(frozen=True)
class S3Target:
    """Where the site goes: a bucket and a key prefix (no leading or trailing slash)."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, bucket: str, prefix: str = "") -> S3Target:
        """Build a target from user input, normalising ``/site/`` to ``site``."""
        bucket = bucket.strip()
        if not bucket:
            raise PublishError("bucket name is empty")
        prefix = prefix.strip().strip("/")
        if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
            raise PublishError(f"prefix {prefix!r} has an empty, '.' or '..' segment")
        return cls(bucket=bucket, prefix=prefix)

    @property
    def list_prefix(self) -> str:
        """Prefix for listing: with a trailing slash so ``site`` never matches ``site-old/``."""
        return f"{self.prefix}/" if self.prefix else ""

    def key_for(self, relpath: str) -> str:
        """The object key of a file at ``relpath`` inside the site folder."""
        return self.list_prefix + relpath

    def url(self, key: str = "") -> str:
        """``s3://`` URL of a key (or of the prefix), for messages."""
        return f"s3://{self.bucket}/{key or self.list_prefix}"


@dataclass(frozen=True)
class ObjectState:
    """What decides whether an object must be uploaded again: content hash and headers."""

    sha256: str | None
    headers: ObjectHeaders


@dataclass(frozen=True)
class LocalFile:
    """One file of the rendered site, with the key and headers it is published under."""

    path: Path
    relpath: str
    key: str
    state: ObjectState

    @property
    def is_page(self) -> bool:
        """Pages (and the search index) go last, so their new assets are already online."""
        return self.state.headers.cache_control == REVALIDATE

    @property
    def is_build_record(self) -> bool:
        """The site's ``build.json`` names every page's digest: it goes after all of them."""
        return self.relpath == BUILD_RECORD


@dataclass(frozen=True)
class Plan:
    """What a publish will do; ``delete`` and ``unchanged`` hold object keys.

    ``not_compared`` says why the bucket could not be read (a dry run without credentials):
    then every file is an upload and what would be replaced, deleted or left alone is unknown.
    """

    upload: tuple[LocalFile, ...]
    replace: tuple[LocalFile, ...]
    delete: tuple[str, ...]
    unchanged: tuple[str, ...]
    not_compared: str | None = None

    def transfers(self) -> list[LocalFile]:
        """Files to send: assets, then pages, then the build record; each group in key order."""
        return sorted(
            (*self.upload, *self.replace), key=lambda f: (f.is_build_record, f.is_page, f.key)
        )

    def counts(self) -> str:
        """``3 uploaded, 1 replaced, 0 deleted, 12 unchanged``-style tally."""
        if self.not_compared is not None:
            return f"{len(self.upload)} uploaded at most (not compared with the bucket)"
        return (
            f"{len(self.upload)} uploaded, {len(self.replace)} replaced, "
            f"{len(self.delete)} deleted, {len(self.unchanged)} unchanged"
        )


Log = Callable[[str], None]


# --------------------------------------------------------------------------- client and errors


def make_s3_client(
    *, endpoint_url: str | None, region: str | None, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> BaseClient:
    """An S3 client that retries transient errors and talks to any S3-compatible store.

    - ``retries``: botocore "standard" mode retries throttling, 5xx and connection errors
      with exponential backoff and jitter, up to ``max_attempts`` tries per request.
    - ``request_checksum_calculation="when_required"``: botocore >= 1.36 otherwise adds CRC
      checksum headers that several S3-compatible stores reject; integrity is still checked
      because every upload sends ``Content-MD5``.
    - path-style addressing for a custom endpoint: MinIO/Ceph-style hosts have no
      ``bucket.host`` DNS names. AWS itself keeps botocore's default (virtual-hosted).
    """
    config = Config(
        # ``total_max_attempts`` counts the first try; botocore's ``max_attempts`` key in a
        # Config would count retries only (one more request than asked for).
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=10,
        read_timeout=60,
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


def explain(error: Exception, action: str, target: S3Target, key: str | None = None) -> str:
    """One line saying why ``action`` on the bucket/key failed ("upload", say)."""
    where = target.url(key) if key is not None else target.url()
    if isinstance(error, NoCredentialsError):
        return (
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE / a role)"
        )
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        message = one_line(str(details.get("Message", ""))) or "no details"
        if code in NO_SUCH_BUCKET_CODES or (key is None and code in ("404", "NotFound")):
            return f"bucket {target.bucket!r} does not exist ({action} {where})"
        if code in CREDENTIAL_ERROR_CODES:
            return (
                f"credentials refused by the S3 endpoint ({code}: {message}) "
                f"while trying to {action} {where}"
            )
        if code in ACCESS_DENIED_CODES:
            return f"access denied: cannot {action} {where} ({code}: {message})"
        return f"cannot {action} {where}: {code}: {message}"
    return f"cannot {action} {where}: {one_line(str(error))}"


def one_line(text: str) -> str:
    """Collapse a server's multi-line message so every failure stays one log line."""
    return " ".join(text.split())


@contextmanager
def explained(action: str, target: S3Target, key: str | None = None) -> Iterator[None]:
    """Turn botocore errors raised inside the block into a one-line :class:`PublishError`."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise PublishError(explain(error, action, target, key)) from error


# --------------------------------------------------------------------------- 1. plan


def scan_site(site_dir: Path, target: S3Target) -> list[LocalFile]:
    """Every file of the site folder with its key, SHA-256 and headers, in key order."""
    if not site_dir.exists():
        raise PublishError(f"site folder {site_dir} does not exist: render the site first")
    if not site_dir.is_dir():
        raise PublishError(f"site folder {site_dir} is not a folder")
    paths = sorted(p for p in site_dir.rglob("*") if p.is_file())
    if not paths:
        raise PublishError(f"site folder {site_dir} is empty: render the site first")
    if not (site_dir / SITE_ENTRY_PAGE).is_file():
        raise PublishError(
            f"site folder {site_dir} has no {SITE_ENTRY_PAGE}: is it a rendered site?"
        )
    files = []
    for path in paths:
        relpath = path.relative_to(site_dir).as_posix()
        state = ObjectState(sha256=sha256_of_file(path), headers=headers_for(relpath))
        files.append(LocalFile(path, relpath, target.key_for(relpath), state))
    return files


def sha256_of_file(path: Path) -> str:
    """Hex SHA-256 of a site file, or a ``PublishError`` naming the file it cannot read."""
    try:
        return sha256_file(path)
    except OSError as error:
        raise PublishError(f"cannot read site file {path}: {error.strerror}") from error


def list_remote_keys(client: BaseClient, target: S3Target) -> list[str]:
    """Keys of every object under the prefix (all pages of the listing)."""
    keys: list[str] = []
    with explained("list", target):
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=target.bucket, Prefix=target.list_prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def read_remote_state(client: BaseClient, target: S3Target, key: str) -> ObjectState | None:
    """Stored hash and headers of an object; None when it vanished since the listing."""
    try:
        head = client.head_object(Bucket=target.bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES:
            return None
        raise PublishError(explain(error, "read", target, key)) from error
    except BotoCoreError as error:
        raise PublishError(explain(error, "read", target, key)) from error
    headers = ObjectHeaders(
        content_type=head.get("ContentType", ""), cache_control=head.get("CacheControl", "")
    )
    return ObjectState(sha256=head.get("Metadata", {}).get(SHA256_METADATA_KEY), headers=headers)


def plan_publish(client: BaseClient, target: S3Target, local: Sequence[LocalFile]) -> Plan:
    """Compare the site with the bucket: what to upload, replace, delete, leave alone."""
    remote_keys = set(list_remote_keys(client, target))
    existing = [f for f in local if f.key in remote_keys]
    with ThreadPoolExecutor(max_workers=HEAD_WORKERS) as pool:
        remote = list(pool.map(lambda f: read_remote_state(client, target, f.key), existing))
    stored = dict(zip((f.key for f in existing), remote, strict=True))
    local_keys = {f.key for f in local}
    return Plan(
        upload=tuple(f for f in local if stored.get(f.key) is None),
        replace=tuple(f for f in local if stored.get(f.key) not in (None, f.state)),
        delete=tuple(sorted(remote_keys - local_keys)),
        unchanged=tuple(f.key for f in local if stored.get(f.key) == f.state),
    )


def uncompared_plan(local: Sequence[LocalFile], reason: str) -> Plan:
    """A dry run's plan when the bucket cannot be read: every file would be uploaded."""
    return Plan(upload=tuple(local), replace=(), delete=(), unchanged=(), not_compared=reason)


def plan_lines(plan: Plan) -> list[str]:
    """The plan, one ``action key  (headers)`` line per object, for a dry run."""
    lines = []
    if plan.not_compared is not None:
        lines.append(f"not compared with the bucket: {plan.not_compared}")
        lines.append(
            "every file is listed as an upload; with credentials that can read the bucket "
            "(s3:ListBucket on the prefix, s3:GetObject) the dry run also lists what would "
            "be replaced, deleted or left unchanged"
        )
    lines += [f"upload    {f.key}  ({describe_headers(f)})" for f in plan.upload]
    lines += [f"replace   {f.key}  ({describe_headers(f)})" for f in plan.replace]
    lines += [f"delete    {key}" for key in plan.delete]
    lines += [f"unchanged {key}" for key in plan.unchanged]
    return lines


def describe_headers(file: LocalFile) -> str:
    """``Content-Type: ..., Cache-Control: ...`` of a file, as the dry run shows it."""
    headers = file.state.headers
    return f"Content-Type: {headers.content_type}, Cache-Control: {headers.cache_control}"


# --------------------------------------------------------------------------- 2. transfer


def upload_file(client: BaseClient, target: S3Target, file: LocalFile) -> None:
    """Send one file with its headers, hash metadata and ``Content-MD5`` (server-checked)."""
    try:
        body = file.path.read_bytes()
    except OSError as error:
        raise PublishError(f"cannot read site file {file.path}: {error.strerror}") from error
    if sha256_bytes(body) != file.state.sha256:
        raise PublishError(f"site file {file.path} changed while publishing: re-run the publish")
    md5 = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
    headers = file.state.headers
    with explained("upload", target, file.key):
        client.put_object(
            Bucket=target.bucket,
            Key=file.key,
            Body=body,
            ContentType=headers.content_type,
            CacheControl=headers.cache_control,
            ContentMD5=md5,
            Metadata={SHA256_METADATA_KEY: file.state.sha256 or ""},
        )


def transfer(client: BaseClient, target: S3Target, plan: Plan, log: Log) -> list[str]:
    """Upload new and replaced files; return the replaced keys.

    Stops at the first failure (the error keeps the keys replaced so far): later files stay
    as they were online, and nothing is deleted.
    """
    replaced_keys = {f.key for f in plan.replace}
    files = plan.transfers()
    done: list[str] = []
    for number, file in enumerate(files, start=1):
        try:
            upload_file(client, target, file)
        except PublishError as error:
            raise PublishError(
                f"{error}; stopped after {number - 1} of {len(files)} uploads, nothing deleted",
                changed_keys=[key for key in done if key in replaced_keys],
            ) from error
        done.append(file.key)
        log(f"{'replaced' if file.key in replaced_keys else 'uploaded':<9} {file.key}")
    return [key for key in done if key in replaced_keys]


# --------------------------------------------------------------------------- 3. delete


def delete_keys(client: BaseClient, target: S3Target, keys: Sequence[str], log: Log) -> list[str]:
    """Delete objects in batches; return the keys deleted, or raise naming the first failure."""
    deleted: list[str] = []
    for start in range(0, len(keys), DELETE_BATCH_SIZE):
        batch = keys[start : start + DELETE_BATCH_SIZE]
        with explained("delete objects under", target):
            answer = client.delete_objects(
                Bucket=target.bucket,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
        failed = {item["Key"]: item for item in answer.get("Errors", [])}
        deleted += [key for key in batch if key not in failed]
        for key in batch:
            if key not in failed:
                log(f"deleted   {key}")
        if failed:
            key, item = next(iter(failed.items()))
            raise PublishError(
                f"cannot delete {target.url(key)}: {item.get('Code')}: {item.get('Message')}"
                f" ({len(failed)} deletions failed)",
                changed_keys=deleted,
            )
    return deleted


# --------------------------------------------------------------------------- the whole publish


def publish_site(
    site_dir: Path, target: S3Target, client: BaseClient, *, dry_run: bool = False, log: Log = print
) -> tuple[Plan, list[str]]:
    """Plan, then (unless ``dry_run``) upload and delete.

    Returns the plan and the keys this run replaced or deleted (empty for a dry run): the
    objects a CDN in front of the bucket must invalidate. New keys need no invalidation.
    """
    local = scan_site(site_dir, target)
    try:
        plan = plan_publish(client, target, local)
    except PublishError as error:
        if not (dry_run and isinstance(error.__cause__, NoCredentialsError)):
            raise
        plan = uncompared_plan(local, str(error))
    if dry_run:
        for line in plan_lines(plan):
            log(line)
        return plan, []
    replaced = transfer(client, target, plan, log)
    try:
        deleted = delete_keys(client, target, plan.delete, log)
    except PublishError as error:
        raise PublishError(str(error), changed_keys=[*replaced, *error.changed_keys]) from error
    return plan, [*replaced, *deleted]


def summary_line(site_dir: Path, target: S3Target, plan: Plan, *, dry_run: bool) -> str:
    """The one-line result a CI log shows."""
    if dry_run:
        return f"dry run, nothing changed: {site_dir} -> {target.url()} would be {plan.counts()}"
    return f"published {site_dir} -> {target.url()}: {plan.counts()}"


def invalidation_paths(keys: Sequence[str]) -> list[str]:
    """URL paths (leading ``/``, prefix included) a CDN must refresh for changed keys.

    A changed ``dir/index.html`` is also served as ``/dir/``, so both paths are listed.
    """
    paths: set[str] = set()
    for key in keys:
        paths.add("/" + quote(key))
        pure = PurePosixPath(key)
        if pure.name == SITE_ENTRY_PAGE:
            parent = pure.parent.as_posix()
            paths.add("/" if parent == "." else "/" + quote(parent) + "/")
    return sorted(paths)


def write_changed_paths(path: Path, keys: Sequence[str]) -> None:
    """Write the invalidation paths of ``keys``, one per line (an empty file when none)."""
    lines = invalidation_paths(keys)
    try:
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    except OSError as error:
        raise PublishError(f"cannot write changed-paths file {path}: {error.strerror}") from error
