"""Benchmark: ``quarto preview`` as an author runs it, ours against the bare reference site.

Both sites are previewed at once, each in a temporary copy, under a pseudo-terminal (so
Quarto sees a terminal, as it does for an author) with the input watcher on. Then:

- **prose edits**: ``--runs`` + 1 times, alternating the sites, one sentence of the page
  (``bench_render.EDITS``) gets a new marker and is saved; the time is from the save
  until ``GET /<page>.html`` (polled every 50 ms) contains the marker. The first edit is
  a warm-up (it starts the kernel); the figure is the ratio of the medians of the rest.
  Target <= 1.2x.
- **analysis-code edit** (ours only; it reruns the analysis, so seconds, not a ratio): a
  figure caption's wording in ``analysis/captions.py`` gets a marker. If the page does
  not show it within ``PY_WAIT_S`` (Quarto watches pages, not modules), the page is
  saved too, as an author would, with a new prose marker; the table says which it took.
  The page must then show the new caption and never the old one: a re-render that shows
  the new prose with the old caption is *stale* (the preview's kernel keeps the modules
  it imported), and so is no new caption within ``TIMEOUT_S``.

Only 127.0.0.1 is used. Run it as a module from the repository root:

    .venv/bin/python -m bench.bench_preview --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_render import REFERENCE_SITE, ProseEdit, project_env, quarto
from penguin_site.config import ROOT
from tests.helpers import copy_tree

PREVIEW_RATIO_TARGET = 1.2
POLL_S = 0.05
#: How long the first render of a whole site may take before the bench gives up.
START_TIMEOUT_S = 900.0
#: How long one edit may take to show before it counts as never shown (stale).
TIMEOUT_S = 300.0
#: How long a module save alone is given to show before the page is saved too.
PY_WAIT_S = 20.0
#: After the new caption shows, how long the page is watched for the old one coming back.
SETTLE_S = 5.0
#: The analysis-code edit: a caption's words in the module, and as the EDA page shows them.
#: The marker goes after the first word, so the new caption no longer holds ``SHOWN``.
CAPTION = ("src/penguin_site/analysis/captions.py", 'f"Pairwise view of the ')
SHOWN = "Pairwise view of the "


@dataclass
class Preview:
    """One ``quarto preview`` under a pseudo-terminal, its output drained by a thread.

    Draining matters: Quarto writes progress to the terminal, and a full pty buffer
    would block it mid-render.
    """

    project: Path
    port: int
    process: subprocess.Popen[bytes] = field(init=False)
    output: bytearray = field(default_factory=bytearray)

    def start(self) -> None:
        controller, terminal = pty.openpty()
        command = [str(quarto()), "preview", "--no-browser", "--host", "127.0.0.1",
                   "--port", str(self.port)]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=self.project,
            env=project_env(self.project),
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            start_new_session=True,  # its own process group, stopped whole at the end
        )
        os.close(terminal)
        threading.Thread(target=self._drain, args=(controller,), daemon=True).start()

    def _drain(self, controller: int) -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: Quarto exited
                break
            if not chunk:
                break
            self.output += chunk
        os.close(controller)

    def get(self, page: str) -> str | None:
        """The served page's text, or None while the server does not answer with it."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{page}", timeout=5) as r:
                return r.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait_for(self, page: str, shown: Callable[[str], bool], timeout: float) -> str | None:
        """Poll ``page`` until ``shown(body)``; the body, or None at the timeout."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"quarto preview exited:\n{self.tail()}")
            body = self.get(page)
            if body is not None and shown(body):
                return body
            time.sleep(POLL_S)
        return None

    def tail(self) -> str:
        return self.output.decode("utf-8", "replace")[-3000:]

    def stop(self) -> None:
        """End the preview's process group, then anything left running in the copy."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        for pid in processes_in(self.project):  # a kernel Quarto started in a new session
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, signal.SIGTERM)


def processes_in(folder: Path) -> list[int]:
    """Ids of this user's processes whose working directory is inside ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.joinpath("cwd").resolve().is_relative_to(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def started(project: Path, page: str, tries: int = 3) -> Preview:
    """A preview of ``project`` that has rendered it and serves ``page``.

    Quarto binds its port only after the first render, so a free port can be taken by
    another program meanwhile: then it starts again on another.
    """
    for _ in range(tries):
        preview = Preview(project, free_port())
        preview.start()
        try:
            if preview.wait_for(page, lambda body: True, START_TIMEOUT_S) is not None:
                return preview
            raise SystemExit(f"the preview of {project} never served {page}:\n{preview.tail()}")
        except SystemExit:
            preview.stop()
            if "AddrInUse" not in preview.tail():
                raise
    raise SystemExit(f"no free port for the preview of {project} in {tries} tries")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed_edit(preview: Preview, edit: ProseEdit) -> float:
    """Seconds from saving a prose edit until the served page shows it."""
    html = edit.page.replace(".qmd", ".html")
    start = time.perf_counter()
    marker = edit.apply()
    if preview.wait_for(html, lambda body: marker in body, TIMEOUT_S) is None:
        raise SystemExit(f"{html} never showed the edit {marker}:\n{preview.tail()}")
    return time.perf_counter() - start


@dataclass(frozen=True)
class AnalysisEdit:
    """What the analysis-code edit did: seconds to the new caption, and how it got there."""

    seconds: float | None  # None: stale
    page_saved: bool
    why_stale: str = ""


def analysis_edit(preview: Preview, edit: ProseEdit) -> AnalysisEdit:
    """Edit the caption's wording and follow the served EDA page (module docstring)."""
    module = preview.project / CAPTION[0]
    text = module.read_text(encoding="utf-8")
    assert CAPTION[1] in text, f"{CAPTION[0]} lost the caption the bench edits"
    html = edit.page.replace(".qmd", ".html")
    before = preview.get(html) or ""
    assert SHOWN in before, f"{html} does not show the caption the bench edits"
    marker = f"edit{uuid.uuid4().hex[:10]}"
    start = time.perf_counter()
    module.write_text(
        text.replace(CAPTION[1], f'f"Pairwise {marker} view of the '), encoding="utf-8"
    )
    body = preview.wait_for(html, lambda b: marker in b, PY_WAIT_S)
    page_saved = body is None
    if page_saved:
        start = time.perf_counter()
        prose = edit.apply()
        left = TIMEOUT_S - PY_WAIT_S
        body = preview.wait_for(html, lambda b: marker in b or prose in b, left)
        if body is None:
            return AnalysisEdit(None, page_saved, f"nothing new shown in {TIMEOUT_S:.0f} s")
        if marker not in body:
            return AnalysisEdit(None, page_saved, "the new prose showed with the old caption")
    seconds = time.perf_counter() - start
    settle = time.perf_counter() + SETTLE_S
    while time.perf_counter() < settle:
        body = preview.get(html)  # None while Quarto is busy: the server does not answer
        if body is not None and (marker not in body or SHOWN in body):
            return AnalysisEdit(None, page_saved, "the old caption came back")
        time.sleep(POLL_S)
    return AnalysisEdit(seconds, page_saved)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed edits per site (+1 warm-up)")
    args = parser.parse_args(argv)
    timings: dict[str, list[float]] = {"ours": [], "reference": []}
    with tempfile.TemporaryDirectory() as tmp:
        projects = {
            "ours": copy_tree(ROOT, Path(tmp) / "ours"),
            "reference": copy_tree(REFERENCE_SITE, Path(tmp) / "reference"),
        }
        edits = {site: ProseEdit(project, site) for site, project in projects.items()}
        previews: dict[str, Preview] = {}
        try:
            for site, project in projects.items():
                previews[site] = started(project, edits[site].page.replace(".qmd", ".html"))
            for _ in range(args.runs + 1):
                for site, preview in previews.items():
                    timings[site].append(timed_edit(preview, edits[site]))
            analysis = analysis_edit(previews["ours"], edits["ours"])
        finally:
            for preview in previews.values():
                preview.stop()
    ours, reference = (statistics.median(timings[site][1:]) for site in ("ours", "reference"))
    ratio = ours / reference
    print(f"quarto preview: medians of edits 2..{args.runs + 1}, alternating ours and the "
          "bare reference site")  # fmt: skip
    print(f"{'measure':22} {'ours':>8} {'reference':>10} {'ratio':>7} {'target':>8}  met")
    print(f"{'preview prose edit':22} {ours:>6.2f} s {reference:>8.2f} s {ratio:>6.2f}x "
          f"{f'<= {PREVIEW_RATIO_TARGET}x':>8}  {ratio <= PREVIEW_RATIO_TARGET}")  # fmt: skip
    how = (
        f"no re-render in {PY_WAIT_S:.0f} s after the module's save; timed from the page's save"
        if analysis.page_saved
        else "from the module's save alone"
    )
    shown = f"{analysis.seconds:.1f} s" if analysis.seconds is not None else "stale"
    print(f"{'analysis-code edit':22} {shown:>8} {'':>10} {'':>7} {'shown':>8}  "
          f"{analysis.seconds is not None}  ({how}{'; ' if analysis.why_stale else ''}"
          f"{analysis.why_stale})")  # fmt: skip
    for site, seconds in timings.items():  # the spread says how much the median can be trusted
        print(f"{site} edits (first is the warm-up): " + ", ".join(f"{s:.2f}" for s in seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
