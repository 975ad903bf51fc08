"""A real S3-protocol server on 127.0.0.1 for the publishing tests (moto in server mode).

The publisher talks HTTP to it exactly as it talks to AWS: nothing in boto3 is patched.
moto keeps its state per process (all servers of one pytest-xdist worker share it), so every
test uses its own bucket name; the server binds port 0, so workers never collide.

Also here: switching moto's IAM authentication on (credentials refused, per-key denial) and
a reverse proxy that answers the first requests with a 503, to watch retries happen.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import threading
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.client import BaseClient
from moto.server import ThreadedMotoServer

#: Region every test client and the publisher use.
REGION = "us-east-1"
#: Credentials moto accepts while its IAM authentication is off (its default).
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def set_fake_aws_env(monkeypatch: pytest.MonkeyPatch, scratch: Path) -> None:
    """Fake credentials only; no profile, config file or instance metadata can leak in."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "PUBLISH_S3_")):
            monkeypatch.delenv(name)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(scratch / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(scratch / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def unique_bucket_name() -> str:
    """A valid bucket name no other test of this process uses."""
    return f"site-{uuid.uuid4().hex[:16]}"


@contextmanager
def moto_server() -> Iterator[str]:
    """Run moto's S3 server in a thread on 127.0.0.1, port 0; yield its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> BaseClient:
    """A plain client to set up and inspect the bucket (not the publisher's own client)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _set_auth_free_requests(endpoint: str, count: str) -> None:
    """moto's switch: after ``count`` requests every request must be signed by an IAM user."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def create_publisher_key(endpoint: str, *, deny_put: Sequence[str] = ()) -> tuple[str, str]:
    """An IAM user allowed all of S3 except ``PutObject`` on ``deny_put`` ("bucket/key").

    Returns its (access key id, secret). Call before :func:`iam_auth_enforced`.
    """
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    user = f"publisher-{uuid.uuid4().hex[:12]}"
    iam.create_user(UserName=user)
    statements: list[dict[str, object]] = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    if deny_put:
        statements.append(
            {
                "Effect": "Deny",
                "Action": "s3:PutObject",
                "Resource": [f"arn:aws:s3:::{path}" for path in deny_put],
            }
        )
    policy = {"Version": "2012-10-17", "Statement": statements}
    iam.put_user_policy(UserName=user, PolicyName="publish", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@contextmanager
def iam_auth_enforced(endpoint: str) -> Iterator[None]:
    """Make moto check signatures and IAM policies, like AWS, inside the block.

    The switch is process-wide in moto, so it is always turned back off (tests of one xdist
    worker run one at a time, so no other test sees it on).
    """
    _set_auth_free_requests(endpoint, "0")
    try:
        yield
    finally:
        _set_auth_free_requests(endpoint, "inf")


class FlakyProxy:
    """Reverse proxy to ``upstream`` answering the first ``failures`` PUTs with a 503.

    A 503 ``ServiceUnavailable`` is what S3 sends when it is briefly overloaded; the
    publisher's client must retry it. ``failures_sent`` and ``puts_seen`` say what happened.
    """

    def __init__(self, upstream: str, failures: int) -> None:
        self.upstream = urlsplit(upstream)
        self.failures_left = failures
        self.failures_sent = 0
        self.puts_seen = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _should_fail(self, method: str) -> bool:
        with self._lock:
            if method != "PUT":
                return False
            self.puts_seen += 1
            if self.failures_left > 0:
                self.failures_left -= 1
                self.failures_sent += 1
                return True
            return False

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the tests assert on counters, not on a log."""

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy._should_fail(self.command):
                    error = (
                        b"<?xml version='1.0' encoding='UTF-8'?><Error>"
                        b"<Code>ServiceUnavailable</Code><Message>Please reduce your request "
                        b"rate.</Message></Error>"
                    )
                    self.send_response(503)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error)
                    return
                upstream = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=10
                )
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(name, value)
                # A HEAD answer keeps the object's length; anything else sends what it read.
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        return Handler
