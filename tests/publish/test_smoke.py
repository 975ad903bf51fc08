"""scripts/smoke_test.py against a real static HTTP server on 127.0.0.1 serving a small site."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import write_files

from penguin_site.publish.smoke import page_url
from scripts import smoke_test

#: The pages the smoke test checks by default, as Quarto renders them (content is a stand-in).
SITE: Mapping[str, bytes] = {
    "index.html": b"<!doctype html><title>Penguins</title>",
    "eda.html": b"<!doctype html><title>EDA</title>",
    "model.html": b"<!doctype html><title>Model</title>",
    "search.json": b"[]",
}
FAST = ["--timeout", "0.5", "--interval", "0.1"]


class ThreadedServer:
    """http.server in a daemon thread on 127.0.0.1, port 0; ``close()`` stops it."""

    def _start(self, handler: Callable[..., SimpleHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass
class StaticServer(ThreadedServer):
    """http.server on 127.0.0.1, port 0, serving a folder; records the paths requested."""

    root: Path
    types: Mapping[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        recorded = self.requests
        extensions = {**SimpleHTTPRequestHandler.extensions_map, **self.types}

        class Handler(SimpleHTTPRequestHandler):
            extensions_map = extensions

            def do_GET(self) -> None:
                recorded.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read the script's output, not the server log."""

        self._start(partial(Handler, directory=self.root))

    @property
    def url(self) -> str:
        return self.origin


Serve = Callable[..., StaticServer]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """Start StaticServers for a test and stop them all at its end."""
    started: list[StaticServer] = []

    def start(root: Path, types: Mapping[str, str] | None = None) -> StaticServer:
        server = StaticServer(root, dict(types or {}))
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.mark.parametrize("prefix", ["", "penguins/"])
def test_published_site_passes(
    tmp_path: Path, serve: Serve, capsys: pytest.CaptureFixture, prefix: str
) -> None:
    site = write_files(tmp_path / "www", {prefix + path: body for path, body in SITE.items()})
    server = serve(site)
    base = f"{server.url}/{prefix}"

    assert smoke_test.main([base, *FAST]) == 0

    assert capsys.readouterr().out == f"smoke test passed: 5 pages at {base}\n"
    assert sorted(server.requests) == sorted(
        f"/{prefix}{path}" for path in ("", "index.html", "eda.html", "model.html", "search.json")
    )


@pytest.mark.parametrize(
    ("files", "types", "path", "reason"),
    [
        ({k: v for k, v in SITE.items() if k != "model.html"}, {}, "model.html", "HTTP 404"),
        (
            SITE,
            {".json": "text/plain"},
            "search.json",
            "Content-Type 'text/plain', expected application/json",
        ),
        (SITE, {".html": "application/octet-stream"}, "eda.html", "expected text/html"),
        ({**SITE, "eda.html": b""}, {}, "eda.html", "empty body"),
    ],
    ids=["missing-page", "json-as-text", "html-as-binary", "empty-page"],
)
def test_failing_page_is_reported_one_line_each(
    tmp_path: Path,
    serve: Serve,
    capsys: pytest.CaptureFixture,
    files: Mapping[str, bytes],
    types: Mapping[str, str],
    path: str,
    reason: str,
) -> None:
    server = serve(write_files(tmp_path / "www", files), types)

    assert smoke_test.main([server.url, "--path", path, *FAST]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"FAIL {server.url}/{path}: ")
    assert reason in lines[0]
    assert lines[1] == f"smoke test failed: 1 of 1 pages at {server.url}"


def test_only_the_failing_pages_are_listed(
    tmp_path: Path, serve: Serve, capsys: pytest.CaptureFixture
) -> None:
    server = serve(write_files(tmp_path / "www", {"index.html": SITE["index.html"]}))

    assert smoke_test.main([server.url, *FAST]) == 1

    failures = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert failures == [
        f"FAIL {server.url}/eda.html: HTTP 404 File not found",
        f"FAIL {server.url}/model.html: HTTP 404 File not found",
        f"FAIL {server.url}/search.json: HTTP 404 File not found",
    ]


def test_page_that_appears_after_the_deploy_lag_passes(tmp_path: Path, serve: Serve) -> None:
    site = write_files(tmp_path / "www", {k: v for k, v in SITE.items() if k != "model.html"})
    server = serve(site)
    late = threading.Timer(0.5, (site / "model.html").write_bytes, args=(SITE["model.html"],))
    late.start()
    try:
        code = smoke_test.main([server.url, "--timeout", "10", "--interval", "0.1"])
    finally:
        late.cancel()

    assert code == 0
    assert server.requests.count("/model.html") >= 2
    assert server.requests.count("/eda.html") == 1  # passing pages are not fetched again


def test_retries_stop_when_the_timeout_runs_out(tmp_path: Path, serve: Serve) -> None:
    server = serve(write_files(tmp_path / "www", SITE))

    started = time.monotonic()
    code = smoke_test.main(
        [server.url, "--path", "gone.html", "--timeout", "1", "--interval", "0.2"]
    )
    elapsed = time.monotonic() - started

    assert code == 1
    assert 0.5 <= elapsed < 3
    assert 3 <= server.requests.count("/gone.html") <= 7


def test_unreachable_server_fails(capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    assert smoke_test.main([f"http://127.0.0.1:{closed_port}", "--path", "/", *FAST]) == 1

    assert "cannot connect: [Errno 111] Connection refused" in capsys.readouterr().out


@pytest.mark.parametrize("base_url", ["ftp://example.org/", "example.org", "http://"])
def test_base_url_must_be_http(base_url: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        smoke_test.main([base_url])

    assert stop.value.code == 2
    assert "is not an http(s):// URL" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("base_url", "path", "url"),
    [
        ("http://h:8/", "/", "http://h:8/"),
        ("http://h:8", "index.html", "http://h:8/index.html"),
        ("http://h:8/penguins", "/", "http://h:8/penguins/"),
        ("http://h:8/penguins/", "/eda.html", "http://h:8/penguins/eda.html"),
        ("http://h:8/penguins", "site_libs/x.js", "http://h:8/penguins/site_libs/x.js"),
    ],
)
def test_page_url_keeps_the_base_path(base_url: str, path: str, url: str) -> None:
    assert page_url(base_url, path) == url


# --- the live site must be this build (build.json) --------------------------------------------


def build_of(commit: str, pages: Mapping[str, bytes]) -> dict[str, object]:
    """A build record as the post-render hook writes it, for a site of ``pages``."""
    digests = {
        name: hashlib.sha256(body).hexdigest()
        for name, body in pages.items()
        if name.endswith(".html")
    }
    return {
        "commit": commit * 40,
        "commit_short": commit * 7,
        "build_time": f"2025-01-0{len(commit)}T00:00:00+00:00",
        "site_digest": hashlib.sha256(commit.encode()).hexdigest(),
        "pages": digests,
    }


def site_with_build(folder: Path, commit: str, marker: bytes) -> tuple[Path, Path]:
    """A site whose pages say ``marker``, with its build.json; returns (site, build.json)."""
    pages = {name: body + marker if name.endswith(".html") else body for name, body in SITE.items()}
    record = json.dumps(build_of(commit, pages)).encode()
    site = write_files(folder, {**pages, "build.json": record})
    return site, site / "build.json"


class SwitchingServer(ThreadedServer):
    """http.server on 127.0.0.1 serving the ``old`` site until its build.json was asked for
    ``switch_after`` times, then the ``new`` one: a CDN catching up with a publish."""

    def __init__(self, old: Path, new: Path, switch_after: int) -> None:
        self.records = 0
        self.requests: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                root = new if server.records > switch_after else old
                return str(root / path.split("?", 1)[0].lstrip("/"))

            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path.endswith("/build.json"):
                    server.records += 1
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read the script's output, not the server log."""

        self._start(Handler)

    @property
    def url(self) -> str:
        return f"{self.origin}/"


@pytest.fixture
def switching(tmp_path: Path) -> Iterator[Callable[[int], tuple[SwitchingServer, Path]]]:
    """Start a SwitchingServer from an old build to a new one; yields (server, new build.json)."""
    started: list[SwitchingServer] = []

    def start(switch_after: int) -> tuple[SwitchingServer, Path]:
        old, _ = site_with_build(tmp_path / "old", "a", b"<p>last week</p>")
        new, record = site_with_build(tmp_path / "new", "b", b"<p>this build</p>")
        server = SwitchingServer(old, new, switch_after)
        started.append(server)
        return server, record

    yield start
    for server in started:
        server.close()


def test_live_site_that_catches_up_with_the_build_passes(
    switching: Callable[[int], tuple[SwitchingServer, Path]], capsys: pytest.CaptureFixture
) -> None:
    server, record = switching(3)

    code = smoke_test.main(
        [server.url, "--expect-build", str(record), "--timeout", "20", "--interval", "0.05"]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert server.records == 4  # three answers with the old build, then this one
    assert "smoke test passed: 5 pages" in out
    assert "commit bbbbbbb" in out
    # Pages are fetched only once the live site is this build, and each matched its digest.
    first_page = next(i for i, path in enumerate(server.requests) if path.endswith(".html"))
    assert server.requests[:first_page].count("/build.json") == 4


def test_live_site_that_stays_on_the_old_build_fails_within_the_bound(
    switching: Callable[[int], tuple[SwitchingServer, Path]], capsys: pytest.CaptureFixture
) -> None:
    server, record = switching(10_000)

    started = time.monotonic()
    code = smoke_test.main(
        [server.url, "--expect-build", str(record), "--timeout", "1.5", "--interval", "0.1"]
    )
    elapsed = time.monotonic() - started

    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert elapsed < 3
    # Backoff: 0.1 + 0.2 + 0.4 + 0.8 s > 1.5 s, so four tries, not fifteen.
    assert server.records == 4
    assert out[0].startswith(f"FAIL {server.url}build.json: the live site serves commit aaaaaaa")
    assert "not this build (commit bbbbbbb" in out[0]
    assert out[1].startswith(f"smoke test failed: {server.url} does not serve this build")
    assert not any(path.endswith(".html") for path in server.requests)


def test_page_stale_in_the_cache_fails_naming_the_page(
    tmp_path: Path, serve: Serve, capsys: pytest.CaptureFixture
) -> None:
    """The live build.json is this build's but eda.html is still last week's bytes."""
    site, record = site_with_build(tmp_path / "www", "b", b"<p>this build</p>")
    (site / "eda.html").write_bytes(SITE["eda.html"] + b"<p>last week</p>")
    server = serve(site)

    code = smoke_test.main([server.url, "--expect-build", str(record), *FAST])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert len(lines) == 2
    assert lines[0].startswith(f"FAIL {server.url}/eda.html: not this build's page (sha256 ")
    assert lines[1].startswith(f"smoke test failed: 1 of 5 pages at {server.url}")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read the build record"), (b'{"pages": {}}', "not a build record")],
    ids=["missing", "no-commit"],
)
def test_unusable_expected_build_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture, content: bytes | None, message: str
) -> None:
    record = tmp_path / "build.json"
    if content is not None:
        record.write_bytes(content)
    with pytest.raises(SystemExit) as stop:
        smoke_test.main(["http://127.0.0.1:9/", "--expect-build", str(record)])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_site_without_a_build_record_says_so(
    tmp_path: Path, serve: Serve, capsys: pytest.CaptureFixture
) -> None:
    _, record = site_with_build(tmp_path / "ours", "b", b"")
    server = serve(write_files(tmp_path / "www", SITE))  # an older publisher: no build.json

    assert smoke_test.main([server.url, "--expect-build", str(record), *FAST]) == 1

    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"FAIL {server.url}/build.json: HTTP 404 File not found; this build")
    assert "commit bbbbbbb" in first


def test_build_made_for_another_url_fails_before_any_request(
    tmp_path: Path, serve: Serve, capsys: pytest.CaptureFixture
) -> None:
    """A Pages site on a custom domain while the build derived https://OWNER.github.io/REPO/."""
    site, record = site_with_build(tmp_path / "www", "b", b"")
    made_for = {**json.loads(record.read_text()), "site_url": "https://owner.github.io/repo/"}
    record.write_text(json.dumps(made_for))
    server = serve(site)

    assert smoke_test.main([server.url, "--expect-build", str(record), *FAST]) == 1

    first = capsys.readouterr().out.splitlines()[0]
    assert "canonical links are for https://owner.github.io/repo/" in first
    assert "set SITE_URL" in first
    assert server.requests == []
    made_for["site_url"] = server.url + "/"
    record.write_text(json.dumps(made_for))
    assert smoke_test.main([server.url, "--expect-build", str(record), *FAST]) == 0
