"""Run the jobs of a GitHub Actions workflow on this machine as an ubuntu-24.04 runner runs them.

Why not ``act``: it clones every ``uses:`` action from github.com before the first step
(``git clone 'https://github.com/actions/setup-python'`` fails: "dial tcp: lookup
github.com ... no such host" here), and these machines reach only PyPI, Debian and npm.

What is faithful: each ``run:`` step is the workflow's exact script, run with
``bash --noprofile --norc -eo pipefail {0}`` by the non-root user ``runner`` (passwordless
sudo, as on the runner image), in ``GITHUB_WORKSPACE``, with the variables and files the
runner sets (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...),
and with every ``${{ }}`` evaluated from a recorded event (``expressions``). Jobs run in
``needs:`` order with their ``if:``, their ``timeout-minutes`` and a fresh workspace each,
as each job gets a fresh machine. What stands in for GitHub: every ``uses:`` action is
replaced by the local equivalent in ``ACTIONS`` (one table; a ``uses:`` missing from it
fails), and ``TOOLS`` lists the preinstalled programs the image has and this machine lacks.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from expressions import Context, condition, interpolate, to_string
from rendered_site import exclusive

RUNNER_USER = "runner"
#: PATH on the image before any action adds to it (Ubuntu's default, without the
#: image's language tool folders, which the actions below put back as they need them).
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: The preinstalled Google Chrome of the ubuntu-24.04 image; Debian's Chromium stands in.
IMAGE_CHROME = "/usr/bin/google-chrome"
DEBIAN_CHROMIUM = "/usr/bin/chromium"


class StepFailed(RuntimeError):
    """A step failed (its exit code, or a local action's check)."""


class JobTimedOut(StepFailed):
    """The job ran past its ``timeout-minutes``."""


# --- the machine ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunnerAccount:
    """The non-root user the jobs run as."""

    name: str
    uid: int
    gid: int
    home: Path


#: Held while the machine-wide parts of the image are made: two rehearsals run at once.
IMAGE_LOCK = Path(tempfile.gettempdir()) / "penguin-rehearsal-image.lock"


def runner_account() -> RunnerAccount:
    """``runner`` with passwordless sudo, as on GitHub's image; made (as root) if missing."""
    with exclusive(IMAGE_LOCK):
        return _runner_account()


def _runner_account() -> RunnerAccount:
    if shutil.which("sudo") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "sudo"],
            check=True,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    try:
        entry = pwd.getpwnam(RUNNER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", RUNNER_USER], check=True
        )
        entry = pwd.getpwnam(RUNNER_USER)
    sudoers = Path("/etc/sudoers.d") / RUNNER_USER
    if not sudoers.exists():
        sudoers.write_text(f"{RUNNER_USER} ALL=(ALL) NOPASSWD:ALL\n", encoding="utf-8")
        sudoers.chmod(0o440)
    return RunnerAccount(entry.pw_name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def image_chrome() -> None:
    """Put Debian's Chromium where the image has Google Chrome (the step's CHROMIUM_PATH)."""
    chrome = Path(IMAGE_CHROME)
    with exclusive(IMAGE_LOCK):
        if not chrome.is_symlink() and not chrome.exists():
            chrome.symlink_to(DEBIAN_CHROMIUM)


def chown_tree(root: Path, account: RunnerAccount) -> None:
    subprocess.run(["chown", "-R", f"{account.uid}:{account.gid}", str(root)], check=True)


# --- events -----------------------------------------------------------------------------------


@dataclass
class Event:
    """What GitHub records for one trigger: the github context and the repository variables."""

    name: str
    ref: str
    sha: str
    payload: dict[str, Any]
    vars: dict[str, str]
    head_ref: str = ""
    base_ref: str = ""


def push_event(sha: str, before: str, vars: Mapping[str, str]) -> Event:
    return Event(
        "push",
        "refs/heads/main",
        sha,
        {"ref": "refs/heads/main", "before": before, "after": sha},
        dict(vars),
    )


def pull_request_event(number: int, merge_sha: str, head: str, vars: Mapping[str, str]) -> Event:
    payload = {
        "number": number,
        "pull_request": {"number": number, "head": {"ref": head}, "base": {"ref": "main"}},
    }
    return Event(
        "pull_request", f"refs/pull/{number}/merge", merge_sha, payload, dict(vars), head, "main"
    )


# --- what a run leaves: artifacts, cache, live sites -------------------------------------------


@dataclass
class StepRecord:
    job: str
    name: str
    seconds: float
    outcome: str  # success, failure, skipped
    log: str = ""


@dataclass
class JobRecord:
    name: str
    result: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0


@dataclass
class RunRecord:
    event: Event
    run_id: int
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    needs: dict[str, list[str]] = field(default_factory=dict)

    def failed_step(self) -> StepRecord | None:
        return next(
            (s for job in self.jobs.values() for s in job.steps if s.outcome == "failure"), None
        )


class Services:
    """What lives across jobs and runs: the repository's caches, the run's artifacts, the live
    GitHub Pages site and the S3 stand-in. Servers stop when the rehearsal ends."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache_store = root / "cache"
        self.cache_store.mkdir(parents=True, exist_ok=True)
        self.stack = contextlib.ExitStack()
        self.pages_url: str | None = None
        self.pages_dir = root / "pages-live"
        self.s3: dict[str, str] = {}

    def artifacts(self, run_id: int) -> Path:
        folder = self.root / "artifacts" / str(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def serve_pages(self) -> str:
        """GitHub Pages: the deployed folder served gzipped on 127.0.0.1, one URL per rehearsal."""
        if self.pages_url is None:
            from penguin_site.checks.browser import serve_directory

            self.pages_dir.mkdir(parents=True, exist_ok=True)
            self.pages_url = self.stack.enter_context(
                serve_directory(self.pages_dir, compress=True)
            )
        return self.pages_url.rstrip("/") + "/"

    def close(self) -> None:
        self.stack.close()


# --- one job ----------------------------------------------------------------------------------


class Job:
    """One job on a fresh machine: its workspace, env, steps context and post steps."""

    def __init__(
        self, rehearsal: Rehearsal, run: RunRecord, job_id: str, spec: dict[str, Any]
    ) -> None:
        self.rehearsal, self.run, self.id, self.spec = rehearsal, run, job_id, spec
        self.account = rehearsal.account
        repo_name = rehearsal.repository.split("/")[1]
        base = rehearsal.root / "machine"
        if base.exists():
            shutil.rmtree(base)
        self.workspace = base / "work" / repo_name / repo_name
        self.temp = base / "work" / "_temp"
        self.tool_cache = base / "hostedtoolcache"
        for folder in (self.workspace, self.temp, self.tool_cache):
            folder.mkdir(parents=True)
        chown_tree(base, self.account)
        self.path_additions: list[str] = []
        self.env_file_values: dict[str, str] = {}
        self.steps: dict[str, dict[str, Any]] = {}
        self.posts: list[Callable[[], None]] = []
        self.status = "success"
        self.deadline = time.monotonic() + 60 * float(spec.get("timeout-minutes", 360))
        self.record = JobRecord(spec.get("name", job_id), "skipped")
        self.permissions = spec.get("permissions", rehearsal.workflow.get("permissions", {})) or {}

    # contexts
    def github(self) -> dict[str, Any]:
        event, r = self.run.event, self.rehearsal
        return {
            "event_name": event.name,
            "event": event.payload,
            "ref": event.ref,
            "ref_name": event.ref.rsplit("/", 1)[-1] if event.name == "push" else event.ref[5:],
            "sha": event.sha,
            "head_ref": event.head_ref,
            "base_ref": event.base_ref,
            "repository": r.repository,
            "repository_owner": r.repository.split("/")[0],
            "server_url": "https://github.com",
            "api_url": "https://api.github.com",
            "run_id": str(self.run.run_id),
            "run_number": str(self.run.run_id),
            "run_attempt": "1",
            "workspace": str(self.workspace),
            "token": "ghs_rehearsal_token",
            "actor": "rehearsal",
            "job": self.id,
            "workflow": r.workflow.get("name", ""),
        }

    def context(self, extra: Mapping[str, Any] | None = None) -> Context:
        values = {
            "github": self.github(),
            "vars": self.run.event.vars,
            "secrets": {"GITHUB_TOKEN": "ghs_rehearsal_token"},
            "runner": {
                "os": "Linux",
                "arch": "X64",
                "name": "GitHub Actions 1",
                "temp": str(self.temp),
                "tool_cache": str(self.tool_cache),
                "environment": "github-hosted",
            },
            "steps": self.steps,
            "needs": {
                need: {"outputs": self.run.jobs[need].outputs, "result": self.run.jobs[need].result}
                for need in _needs(self.spec)
            },
            "env": self.job_env(),
            "job": {"status": self.status},
            "inputs": {},
            **(extra or {}),
        }
        return Context(values, self.workspace, status=lambda: self.status)

    def job_env(self) -> dict[str, str]:
        base_context = Context(
            {"github": self.github(), "vars": self.run.event.vars, "secrets": {}, "env": {}},
            self.workspace,
        )
        workflow_env = interpolate(self.rehearsal.workflow.get("env", {}) or {}, base_context)
        job_env = interpolate(self.spec.get("env", {}) or {}, base_context)
        return {k: to_string(v) for k, v in {**workflow_env, **job_env}.items()}

    def process_env(self, step_env: Mapping[str, str], files: Mapping[str, Path]) -> dict[str, str]:
        github = self.github()
        env = {
            "HOME": str(self.account.home),
            "USER": self.account.name,
            "LOGNAME": self.account.name,
            "SHELL": "/bin/bash",
            "LANG": "C.UTF-8",
            "PATH": ":".join(
                [*reversed(self.path_additions), str(self.rehearsal.tools_bin), BASE_PATH]
            ),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_REPOSITORY_OWNER": github["repository_owner"],
            "GITHUB_SERVER_URL": github["server_url"],
            "GITHUB_API_URL": github["api_url"],
            "GITHUB_RUN_ID": github["run_id"],
            "GITHUB_RUN_NUMBER": github["run_number"],
            "GITHUB_RUN_ATTEMPT": github["run_attempt"],
            "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_EVENT_PATH": str(self.temp / "_github_workflow" / "event.json"),
            "GITHUB_REF": github["ref"],
            "GITHUB_REF_NAME": github["ref_name"],
            "GITHUB_REF_TYPE": "branch",
            "GITHUB_SHA": github["sha"],
            "GITHUB_HEAD_REF": github["head_ref"],
            "GITHUB_BASE_REF": github["base_ref"],
            "GITHUB_JOB": self.id,
            "GITHUB_ACTOR": github["actor"],
            "GITHUB_WORKFLOW": github["workflow"],
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_NAME": "GitHub Actions 1",
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_TOOL_CACHE": str(self.tool_cache),
            "RUNNER_ENVIRONMENT": "github-hosted",
            "ImageOS": "ubuntu24",
            **{name: str(path) for name, path in files.items()},
            **self.rehearsal.machine_env,
            **self.env_file_values,
            **self.job_env(),
            **step_env,
        }
        return env

    # running
    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise JobTimedOut(f"job {self.id} exceeded timeout-minutes")
        return left

    def sh(
        self, command: list[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> str:
        """A command as ``runner`` (for the local actions), failing the step if it fails."""
        done = subprocess.run(
            command,
            cwd=cwd or self.workspace,
            env=dict(env or self.process_env({}, {})),
            user=self.account.uid,
            group=self.account.gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=self.remaining(),
            check=False,
        )
        if done.returncode != 0:
            raise StepFailed(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done.stdout + done.stderr

    def run_script(self, script: str, step_env: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """A ``run:`` step: its script in a file, run by bash as GitHub runs ``shell: bash``."""
        step_dir = self.temp / f"step-{uuid.uuid4().hex[:8]}"
        step_dir.mkdir()
        files = {
            "GITHUB_OUTPUT": step_dir / "output",
            "GITHUB_ENV": step_dir / "env",
            "GITHUB_PATH": step_dir / "path",
            "GITHUB_STEP_SUMMARY": step_dir / "summary",
            "GITHUB_STATE": step_dir / "state",
        }
        for path in files.values():
            path.touch()
        script_file = step_dir / "script.sh"
        script_file.write_text(script, encoding="utf-8")
        chown_tree(step_dir, self.account)
        try:
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                cwd=self.workspace,
                env=self.process_env(step_env, files),
                user=self.account.uid,
                group=self.account.gid,
                extra_groups=[],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=self.remaining(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise JobTimedOut(
                f"job {self.id} exceeded timeout-minutes:\n{exc.output or ''}"
            ) from exc
        self.env_file_values.update(
            parse_key_values(files["GITHUB_ENV"].read_text(encoding="utf-8"))
        )
        self.path_additions += [
            line for line in files["GITHUB_PATH"].read_text(encoding="utf-8").splitlines() if line
        ]
        outputs = parse_key_values(files["GITHUB_OUTPUT"].read_text(encoding="utf-8"))
        if done.returncode != 0:
            raise StepFailed(
                f"{done.stdout}\nError: Process completed with exit code {done.returncode}."
            )
        return done.stdout, outputs

    def execute(self) -> JobRecord:
        self.record.started = time.monotonic()
        (self.temp / "_github_workflow").mkdir()
        (self.temp / "_github_workflow" / "event.json").write_text(
            json.dumps(self.run.event.payload), encoding="utf-8"
        )
        for index, spec in enumerate(self.spec["steps"]):
            self.step(index, spec)
        for post in reversed(self.posts):
            start = time.monotonic()
            try:
                post()
                outcome, log = "success", ""
            except StepFailed as exc:
                outcome, log = "failure", str(exc)
                self.status = "failure"
            self.record.steps.append(
                StepRecord(self.id, "Post: save cache", time.monotonic() - start, outcome, log)
            )
        self.record.result = self.status
        context = self.context()
        self.record.outputs = {
            k: to_string(interpolate(v, context))
            for k, v in (self.spec.get("outputs") or {}).items()
        }
        self.record.ended = time.monotonic()
        return self.record

    def step(self, index: int, spec: dict[str, Any]) -> None:
        name = spec.get("name") or spec.get("uses") or spec.get("run", "").splitlines()[0]
        step_id = spec.get("id", f"__step{index}")
        start = time.monotonic()
        context = self.context()
        if not condition(spec.get("if"), context):
            self.steps[step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            self.record.steps.append(StepRecord(self.id, name, 0.0, "skipped"))
            return
        step_env = {
            k: to_string(v) for k, v in interpolate(spec.get("env", {}) or {}, context).items()
        }
        try:
            if "uses" in spec:
                inputs = {
                    k: to_string(v)
                    for k, v in interpolate(spec.get("with", {}) or {}, context).items()
                }
                log, outputs = self.rehearsal.use(self, spec["uses"], inputs)
            else:
                log, outputs = self.run_script(spec["run"], step_env)
            outcome = "success"
        except StepFailed as exc:
            log, outputs, outcome = str(exc), {}, "failure"
        conclusion = outcome
        if outcome == "failure" and spec.get("continue-on-error"):
            conclusion = "success"
        if conclusion == "failure":
            self.status = "failure"
        self.steps[step_id] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}
        self.record.steps.append(StepRecord(self.id, name, time.monotonic() - start, outcome, log))


def parse_key_values(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block = []
            for body in lines:
                if body == delimiter:
                    break
                block.append(body)
            values[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def _needs(spec: Mapping[str, Any]) -> list[str]:
    needs = spec.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


# --- the local equivalents of the actions ------------------------------------------------------


@dataclass(frozen=True)
class Equivalent:
    """One ``uses:`` action: its pinned release, its inputs (from its action.yml at that commit),
    the job permissions it needs, and what stands in for it here."""

    tag: str
    sha: str
    inputs: frozenset[str]
    required: frozenset[str]
    permissions: Mapping[str, str]
    instead: str
    run: Callable[[Job, dict[str, str]], tuple[str, dict[str, str]]]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def checkout(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A clone of the rehearsal's origin at the event's commit; depth as ``fetch-depth``."""
    depth = int(inputs.get("fetch-depth", "1") or "1")
    origin = job.rehearsal.origin
    args = ["git", "clone", "--quiet", "--no-checkout"]
    if depth > 0:
        args += ["--depth", str(depth)]
    job.sh([*args, f"file://{origin}", str(job.workspace)], cwd=job.workspace.parent)
    event = job.run.event
    if event.name == "pull_request":
        job.sh(
            [
                "git",
                "fetch",
                "--quiet",
                *(["--depth", str(depth)] if depth else []),
                "origin",
                f"+{event.ref}:refs/remotes/{event.ref[5:]}",
            ]
        )
    job.sh(["git", "checkout", "--quiet", "--force", event.sha])
    if event.name == "push":
        job.sh(["git", "checkout", "--quiet", "-B", "main", event.sha])
    log = job.sh(["git", "log", "-1", "--format=%H %s"])
    return log, {"ref": event.ref, "commit": event.sha}


def setup_python(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The image's tool cache Python, here Debian's python3 of the requested minor version."""
    if "python-version-file" in inputs:
        want = (job.workspace / inputs["python-version-file"]).read_text(encoding="utf-8").strip()
    else:
        want = inputs.get("python-version", "")
    python = shutil.which(f"python{want}", path=BASE_PATH)
    if not python:
        raise StepFailed(f"Version {want} was not found in the local cache")
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not version.startswith(want):
        raise StepFailed(f"python{want} is {version}")
    bin_dir = job.tool_cache / "Python" / version / "x64" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "python3", f"python{want}"):
        (bin_dir / name).symlink_to(python)
    chown_tree(job.tool_cache, job.account)
    job.path_additions.append(str(bin_dir))
    job.env_file_values["pythonLocation"] = str(bin_dir.parent)
    return f"Successfully set up CPython ({version})", {
        "python-version": version,
        "python-path": str(bin_dir / "python"),
    }


def _cache_file(job: Job, key: str) -> Path:
    return job.rehearsal.services.cache_store / (key.replace("/", "%2F") + ".tar")


def _restore(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str], str | None]:
    key = inputs.get("key", "")
    if not key:
        raise StepFailed("Input required and not supplied: key")
    if "," in key or len(key) > 512:
        raise StepFailed(
            f"Key Validation Error: {key} cannot contain commas or exceed 512 characters"
        )
    store = job.rehearsal.services.cache_store
    matched = key if _cache_file(job, key).is_file() else None
    if matched is None:
        for prefix in _lines(inputs.get("restore-keys", "")):
            candidates = sorted(
                (p for p in store.glob("*.tar") if p.stem.replace("%2F", "/").startswith(prefix)),
                key=lambda p: p.stat().st_mtime,
                reverse=True,
            )
            if candidates:
                matched = candidates[0].stem.replace("%2F", "/")
                break
    if matched is None:
        return f"Cache not found for input keys: {key}", {"cache-hit": "false"}, None
    job.sh(["tar", "-xf", str(_cache_file(job, matched)), "-C", str(job.workspace)])
    outputs = {"cache-hit": str(matched == key).lower(), "cache-matched-key": matched}
    return f"Cache restored from key: {matched}", outputs, matched


def cache(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Restore from the rehearsal's cache folder; save in the post step when the job succeeded."""
    log, outputs, matched = _restore(job, inputs)
    key = inputs["key"]

    def save() -> None:
        if job.status != "success" or matched == key:
            return
        paths = [p for p in _lines(inputs["path"]) if (job.workspace / p).exists()]
        if not paths:
            return  # "Path Validation Error": a warning, nothing is saved
        tmp = _cache_file(job, key).with_suffix(".partial")
        with tarfile.open(tmp, "w") as archive:
            for path in paths:
                archive.add(job.workspace / path, arcname=path)
        tmp.rename(_cache_file(job, key))

    job.posts.append(save)
    return log, outputs


def cache_restore(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    log, outputs, _ = _restore(job, inputs)
    return log, {**outputs, "cache-primary-key": inputs["key"]}


def setup_quarto(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The shared Quarto build (GitHub's release is not reachable here), of the asked version."""
    from penguin_site.site.quarto import find_quarto

    version = inputs.get("version", "")
    quarto = find_quarto(version=version)
    binary = quarto.resolve()
    job.path_additions.append(str(binary.parent))
    log = job.sh([str(binary), "--version"])
    if log.strip() != version:
        raise StepFailed(f"asked for Quarto {version}, the shared install is {log.strip()}")
    return f"Quarto {version} at {binary}", {"version": version}


def _artifact_dir(job: Job, name: str) -> Path:
    return job.rehearsal.services.artifacts(job.run.run_id) / name


def upload_artifact(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A folder per artifact name of the run; hidden files left out unless asked (v4.4+), and a
    name already used in the run is refused unless ``overwrite`` (v4+)."""
    name = inputs.get("name", "artifact")
    dest = _artifact_dir(job, name)
    if dest.exists():
        if inputs.get("overwrite", "false") != "true":
            raise StepFailed(
                "Error: Failed to CreateArtifact: Received non-retryable error: Failed request: "
                "(409) Conflict: an artifact with this name already exists on the workflow run"
            )
        shutil.rmtree(dest)
    hidden = inputs.get("include-hidden-files", "false") == "true"
    files: list[Path] = []
    for pattern in _lines(inputs["path"]):
        source = Path(pattern) if Path(pattern).is_absolute() else job.workspace / pattern
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                rel = path.relative_to(source)
                if path.is_file() and (hidden or not any(p.startswith(".") for p in rel.parts)):
                    files.append(path)
                    target = dest / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
        elif source.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / source.name)
            files.append(source)
    if not files and inputs.get("if-no-files-found", "warn") == "error":
        raise StepFailed(f"No files were found with the provided path: {inputs['path']}")
    return f"uploaded {len(files)} file(s) as {name}", {"artifact-id": name}


def upload_pages_artifact(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The action's own steps: tar the folder (no .git, .github or hidden files), upload it."""
    tar = job.temp / "artifact.tar"
    hidden = [] if inputs.get("include-hidden-files") == "true" else ["--exclude=.[^/]*"]
    job.sh(
        [
            "tar",
            "--dereference",
            "--hard-dereference",
            "--directory",
            inputs.get("path", "_site/"),
            "-cf",
            str(tar),
            "--exclude=.git",
            "--exclude=.github",
            *hidden,
            ".",
        ]
    )
    return upload_artifact(
        job,
        {
            "name": inputs.get("name", "github-pages"),
            "path": str(tar),
            "if-no-files-found": "error",
        },
    )


def deploy_pages(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The Pages artifact unpacked into the live folder served on 127.0.0.1."""
    services = job.rehearsal.services
    archive = _artifact_dir(job, inputs.get("artifact_name", "github-pages")) / "artifact.tar"
    if not archive.is_file():
        raise StepFailed(
            f"Error: No artifacts named {inputs.get('artifact_name', 'github-pages')} were found"
        )
    url = services.serve_pages()
    staging = services.pages_dir.with_name("pages-next")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    for old in list(services.pages_dir.iterdir()):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    for new in staging.iterdir():
        new.rename(services.pages_dir / new.name)
    return f"Reported success! {url}", {"page_url": url}


def configure_aws_credentials(job: Job, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """moto's S3 server on 127.0.0.1 stands in for AWS: its credentials and endpoint in env."""
    s3 = job.rehearsal.services.s3
    if not inputs.get("role-to-assume"):
        raise StepFailed("Could not assume role: role-to-assume is empty")
    job.env_file_values.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": inputs["aws-region"],
            "AWS_DEFAULT_REGION": inputs["aws-region"],
            "AWS_ENDPOINT_URL": s3["endpoint"],
        }
    )
    return f"Authenticated as assumedRoleId {inputs.get('role-session-name', '')}", {
        "aws-account-id": "123456789012"
    }


ACTIONS: dict[str, Equivalent] = {
    "actions/checkout": Equivalent(
        "v7.0.1",
        "3d3c42e5aac5ba805825da76410c181273ba90b1",
        frozenset(
            {
                "repository",
                "ref",
                "token",
                "ssh-key",
                "ssh-known-hosts",
                "ssh-strict",
                "ssh-user",
                "persist-credentials",
                "path",
                "clean",
                "filter",
                "sparse-checkout",
                "sparse-checkout-cone-mode",
                "fetch-depth",
                "fetch-tags",
                "show-progress",
                "lfs",
                "submodules",
                "set-safe-directory",
                "github-server-url",
                "allow-unsafe-pr-checkout",
            }
        ),
        frozenset(),
        {"contents": "read"},
        "git clone of a local bare origin at the event's commit (fetch-depth honoured)",
        checkout,
    ),
    "actions/setup-python": Equivalent(
        "v7.0.0",
        "5fda3b95a4ea91299a34e894583c3862153e4b97",
        frozenset(
            {
                "python-version",
                "python-version-file",
                "cache",
                "architecture",
                "check-latest",
                "token",
                "cache-dependency-path",
                "update-environment",
                "allow-prereleases",
                "freethreaded",
                "pip-version",
            }
        ),
        frozenset(),
        {},
        "Debian's /usr/bin/python3.X linked into RUNNER_TOOL_CACHE/Python/<version>/x64/bin "
        "(root's pyenv Python is unreadable to runner); outputs python-version",
        setup_python,
    ),
    "actions/cache": Equivalent(
        "v5.0.5",
        "27d5ce7f107fe9357f9df03efb73ab90386fccae",
        frozenset(
            {
                "path",
                "key",
                "restore-keys",
                "upload-chunk-size",
                "enableCrossOsArchive",
                "fail-on-cache-miss",
                "lookup-only",
                "save-always",
            }
        ),
        frozenset({"path", "key"}),
        {},
        "a tar per key in the rehearsal's cache folder: exact key, then restore-keys prefixes "
        "(newest first); saved in the post step if the job succeeded and the key was missed",
        cache,
    ),
    "actions/cache/restore": Equivalent(
        "v5.0.5",
        "27d5ce7f107fe9357f9df03efb73ab90386fccae",
        frozenset(
            {
                "path",
                "key",
                "restore-keys",
                "enableCrossOsArchive",
                "fail-on-cache-miss",
                "lookup-only",
            }
        ),
        frozenset({"path", "key"}),
        {},
        "as actions/cache, without the save",
        cache_restore,
    ),
    "quarto-dev/quarto-actions/setup": Equivalent(
        "v2.2.0",
        "8a96df13519ee81fd526f2dfca5962811136661b",
        frozenset({"version", "tinytex"}),
        frozenset(),
        {},
        "the shared Quarto build (../shared/quarto, QUARTO_PATH) of the asked version on PATH",
        setup_quarto,
    ),
    "actions/upload-artifact": Equivalent(
        "v7.0.0",
        "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
        frozenset(
            {
                "name",
                "path",
                "if-no-files-found",
                "retention-days",
                "compression-level",
                "overwrite",
                "include-hidden-files",
                "archive",
            }
        ),
        frozenset({"path"}),
        {},
        "a folder per name in the run's artifact folder; 409 on a used name unless overwrite",
        upload_artifact,
    ),
    "actions/upload-pages-artifact": Equivalent(
        "v5.0.0",
        "fc324d3547104276b827a68afc52ff2a11cc49c9",
        frozenset({"name", "path", "retention-days", "include-hidden-files"}),
        frozenset({"path"}),
        {},
        "its own tar command, then the upload-artifact equivalent (it passes no overwrite)",
        upload_pages_artifact,
    ),
    "actions/deploy-pages": Equivalent(
        "v5.0.0",
        "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128",
        frozenset(
            {"token", "timeout", "error_count", "reporting_interval", "artifact_name", "preview"}
        ),
        frozenset(),
        {"pages": "write", "id-token": "write"},
        "the Pages tar unpacked into a folder served gzipped on 127.0.0.1; outputs page_url",
        deploy_pages,
    ),
    "aws-actions/configure-aws-credentials": Equivalent(
        "v6.2.3",
        "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        frozenset(
            {
                "aws-region",
                "aws-profile",
                "overwrite-aws-profile",
                "role-to-assume",
                "aws-access-key-id",
                "aws-secret-access-key",
                "aws-session-token",
                "web-identity-token-file",
                "role-chaining",
                "audience",
                "http-proxy",
                "no-proxy",
                "mask-aws-account-id",
                "role-duration-seconds",
                "role-external-id",
                "role-session-name",
                "role-skip-session-tagging",
                "transitive-tag-keys",
                "inline-session-policy",
                "managed-session-policies",
                "output-credentials",
                "output-env-credentials",
                "unset-current-credentials",
                "disable-retry",
                "retry-max-attempts",
                "special-characters-workaround",
                "use-existing-credentials",
                "allowed-account-ids",
                "force-skip-oidc",
                "action-timeout-s",
                "custom-tags",
                "sts-endpoint",
            }
        ),
        frozenset({"aws-region"}),
        {"id-token": "write"},
        "moto's S3 server on 127.0.0.1: its credentials, region and AWS_ENDPOINT_URL in GITHUB_ENV",
        configure_aws_credentials,
    ),
}

#: Programs of the ubuntu-24.04 image that ``run:`` steps call and this machine lacks.
TOOLS = {
    "gh": "a `gh run download RUN --repo R --name N --dir D` that copies the run's artifact "
    "folder (needs GH_TOKEN, and `actions: read` in the job); anything else fails",
    IMAGE_CHROME: f"a link to Debian's {DEBIAN_CHROMIUM}",
}

GH_SHIM = r"""#!/usr/bin/env bash
# The rehearsal's `gh`: only `gh run download RUN --repo REPO --name NAME --dir DIR`.
set -euo pipefail
if [ "${1:-} ${2:-}" != "run download" ]; then
  echo "gh (rehearsal): only 'run download' exists" >&2
  exit 1
fi
shift 2
run="$1"; shift
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "gh (rehearsal): unknown flag $1" >&2; exit 1 ;;
  esac
done
if [ -z "${GH_TOKEN:-}" ]; then
  echo "gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment" \
    "variable." >&2
  exit 4
fi
[ "$repo" = "@REPOSITORY@" ] || { echo "gh: HTTP 404: Not Found (repository $repo)" >&2; exit 1; }
source="@ARTIFACTS@/$run/$name"
if [ ! -d "$source" ]; then
  echo "no artifact matches any of the names or patterns provided" >&2
  exit 1
fi
mkdir -p "$dir"
cp -R "$source/." "$dir/"
"""


# --- the S3 stand-in --------------------------------------------------------------------------


@contextlib.contextmanager
def s3_website(endpoint: str, bucket: str, region: str) -> Iterator[str]:
    """What CloudFront with an S3 origin serves: ``dir/`` as ``dir/index.html``, each object with
    its stored Content-Type and Content-Encoding."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key = self.path.split("?", 1)[0].lstrip("/")
            if key == "" or key.endswith("/"):
                key += "index.html"
            try:
                obj = client.get_object(Bucket=bucket, Key=key)
            except ClientError:
                self.send_error(404)
                return
            body = obj["Body"].read()
            self.send_response(200)
            self.send_header("Content-Type", obj.get("ContentType", "binary/octet-stream"))
            if obj.get("ContentEncoding"):
                self.send_header("Content-Encoding", obj["ContentEncoding"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --- the rehearsal -----------------------------------------------------------------------------


class Rehearsal:
    """A workflow, a repository (its origin on disk), the runner account and the services."""

    def __init__(
        self,
        workflow_file: Path,
        root: Path,
        origin: Path,
        repository: str,
        machine_env: Mapping[str, str] | None = None,
    ) -> None:
        self.workflow = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
        self.workflow["on"] = self.workflow.pop(True, self.workflow.get("on"))
        self.root, self.origin, self.repository = root, origin, repository
        self.account = runner_account()
        self.services = Services(root / "services")
        self.machine_env = dict(machine_env or {})
        self.tools_bin = root / "tools-bin"
        self.tools_bin.mkdir(parents=True, exist_ok=True)
        gh = self.tools_bin / "gh"
        gh.write_text(
            GH_SHIM.replace("@REPOSITORY@", repository).replace(
                "@ARTIFACTS@", str(self.services.root / "artifacts")
            ),
            encoding="utf-8",
        )
        gh.chmod(0o755)
        image_chrome()
        self.next_run_id = 1000

    def use(self, job: Job, uses: str, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
        action, _, ref = uses.partition("@")
        equivalent = ACTIONS.get(action)
        if equivalent is None:
            raise StepFailed(f"no local equivalent for {uses} (add one to runner.ACTIONS)")
        if ref != equivalent.sha:
            raise StepFailed(
                f"{action}@{ref} is not the pinned {equivalent.tag} ({equivalent.sha})"
            )
        unknown = set(inputs) - equivalent.inputs
        missing = equivalent.required - set(inputs)
        if unknown or missing:
            raise StepFailed(
                f"{action} {equivalent.tag}: unexpected inputs {sorted(unknown)}, "
                f"missing {sorted(missing)}"
            )
        for scope, level in equivalent.permissions.items():
            granted = (
                job.permissions.get(scope, "none")
                if isinstance(job.permissions, dict)
                else job.permissions
            )
            if granted not in {level, "write"}:
                raise StepFailed(
                    f"{action} needs permissions {scope}: {level}; the job has {granted}"
                )
        return equivalent.run(job, inputs)

    def run(self, event: Event) -> RunRecord:
        """Every job of the workflow for one event, in ``needs:`` order."""
        self.next_run_id += 1
        record = RunRecord(event, self.next_run_id)
        record.needs = {j: _needs(spec) for j, spec in self.workflow["jobs"].items()}
        pending = dict(self.workflow["jobs"])
        while pending:
            ready = [
                j for j, spec in pending.items() if all(n in record.jobs for n in _needs(spec))
            ]
            for job_id in ready:
                spec = pending.pop(job_id)
                job = Job(self, record, job_id, spec)
                needs_ok = all(record.jobs[n].result == "success" for n in _needs(spec))
                job.status = "success" if needs_ok else "failure"
                if condition(spec.get("if"), job.context()):
                    job.status = "success"
                    record.jobs[job_id] = job.execute()
                else:
                    record.jobs[job_id] = JobRecord(spec.get("name", job_id), "skipped")
        return record


def step_table(run: RunRecord) -> str:
    """Each job's steps with their times, and the path from the push to the live site."""
    lines = [f"run {run.run_id} ({run.event.name} {run.event.ref})"]
    for job_id, job in run.jobs.items():
        total = job.ended - job.started if job.result != "skipped" else 0.0
        lines.append(f"  {job_id:14} {job.result:8} {total:7.1f} s")
        for step in job.steps:
            lines.append(f"      {step.seconds:7.1f} s  {step.outcome:8} {step.name}")
    lines.append(
        f"  critical path: {critical_path(run)[1]:.1f} s ({' -> '.join(critical_path(run)[0])})"
    )
    return "\n".join(lines)


def critical_path(run: RunRecord) -> tuple[list[str], float]:
    """The longest chain of jobs that ran (jobs in one chain wait for each other)."""
    best: tuple[list[str], float] = ([], 0.0)
    for job_id, job in run.jobs.items():
        if job.result == "skipped" or not job.steps:
            continue
        chain, total, current = [job_id], job.ended - job.started, job_id
        while True:
            spec_needs = [n for n in run.needs.get(current, []) if run.jobs[n].result != "skipped"]
            if not spec_needs:
                break
            current = max(spec_needs, key=lambda n: run.jobs[n].ended - run.jobs[n].started)
            chain.insert(0, current)
            total += run.jobs[current].ended - run.jobs[current].started
        if total > best[1]:
            best = (chain, total)
    return best


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
