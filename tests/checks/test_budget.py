"""The budget check (penguin_site.checks.budget, scripts/check_budget.py) with real Lighthouse.

A hand-made page seeded with one defect per figure (an image without alt text, no meta
description, a noise image far past the transfer budget, text too faint to read) must fail
and name each. The real render's budget is not measured again here: the workflow's budget
step measures it on every run, and the rehearsal of that workflow (tests/workflow) runs the
step on the real render, so a second measurement would only cost another minute.
"""

from __future__ import annotations

import gzip
import random
import shutil
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from penguin_site.checks.browser import serve_directory
from penguin_site.checks.budget import PageBudget, format_report
from penguin_site.config import BUDGET_SCORES, BUDGET_TRANSFER_KIB, LIGHTHOUSE_MODULE
from scripts import check_budget as check_budget_cli

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
#: Side of the noise image: 600 x 600 RGB noise does not compress (about 1 MiB).
NOISE_SIDE = 600


@pytest.fixture(scope="module")
def chromium(chromium: str) -> str:
    """The shared Chromium fixture, and Lighthouse with it."""
    if not LIGHTHOUSE_MODULE.is_file():
        pytest.skip(f"Lighthouse is not installed ({LIGHTHOUSE_MODULE}): run setup_test_tools.sh")
    return chromium


def _noise_png(target: Path) -> None:
    """A valid PNG of random pixels: nothing compresses it, so its bytes are what is sent."""
    pixels = random.Random(10).randbytes(NOISE_SIDE * NOISE_SIDE * 3)
    Image.frombytes("RGB", (NOISE_SIDE, NOISE_SIDE), pixels).save(target)


def test_the_gzip_server_compresses_text_but_not_images() -> None:
    with serve_directory(SITES / "browser", compress=True) as base_url:
        request = urllib.request.Request(
            base_url + "good.html", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert b"<h1>Good</h1>" in gzip.decompress(response.read())
        request = urllib.request.Request(
            base_url + "figures/mass.png", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["Content-Encoding"] is None
        with urllib.request.urlopen(base_url + "good.html", timeout=5) as response:
            assert response.headers["Content-Encoding"] is None  # the client did not ask


@pytest.mark.browser
def test_each_seeded_defect_fails_the_budget_and_is_named(
    chromium: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "budget", site)
    _noise_png(site / "noise.png")

    code = check_budget_cli.main([str(site), "--pages", "defects.html", "--runs", "1"])
    out = capsys.readouterr().out

    assert code == 1
    lines = out.splitlines()
    # "<page>: <figure> <score> < <target>": the figures below target, without their scores.
    failed = {line.split(" < ")[0].rsplit(" ", 1)[0] for line in lines if " < " in line}
    # The missing alt text and the faint text cost accessibility, the missing description SEO.
    assert {"defects.html: accessibility", "defects.html: seo"} <= failed
    assert any(
        line.startswith("defects.html: transfer ")
        and f"> {BUDGET_TRANSFER_KIB} KiB" in line
        and "noise.png" in line
        for line in lines
    )
    audits = "\n".join(line for line in lines if line.startswith("defects.html: audit "))
    for audit in ("image-alt", "color-contrast", "meta-description"):
        assert f": {audit}: " in audits
    axe = [line for line in lines if line.startswith("defects.html: axe ")]
    for scheme in ("light", "dark"):
        assert any(f"axe {scheme}: image-alt " in line for line in axe)
    assert any("axe light: color-contrast " in line for line in axe)
    # The report: a table for the page with every figure, and each preset's runs.
    assert "defects.html" in lines
    for figure in (*BUDGET_SCORES, "transfer (KiB, gzip)", "axe violations"):
        assert sum(line.startswith(f"  {figure} ") for line in lines) == 1, figure
    assert any(
        line.startswith("  performance runs: desktop [") and "; mobile [" in line for line in lines
    )


def _budget_with(**scores: int) -> PageBudget:
    """A page that meets every target but the scores given."""
    budget = PageBudget("index.html", scores={**BUDGET_SCORES, **scores}, transfer_kib=100.0)
    budget.perf_runs = {"desktop": [scores.get("performance-desktop", 100)], "mobile": [95]}
    return budget


def test_a_preset_that_did_not_run_has_no_target_but_a_missing_category_fails() -> None:
    """A check run with the mobile preset alone (the second study's test) is judged on what
    it measured; a category a report lacks is not a pass."""
    mobile = {key: score for key, score in BUDGET_SCORES.items() if key != "performance-desktop"}
    measured = PageBudget("index.html", scores=mobile, transfer_kib=100.0)
    assert measured.problems == []
    assert "performance-desktop" not in format_report([measured])
    unreported = PageBudget("index.html", scores={"performance-mobile": 95}, transfer_kib=100.0)
    assert unreported.problems == [
        f"index.html: {key} 0 < {BUDGET_SCORES[key]}"
        for key in ("accessibility", "best-practices", "seo")
    ]


@pytest.mark.parametrize(
    ("scores", "reported_only", "code"),
    [
        ({"performance-desktop": 98}, False, 1),  # the workflow: performance is enforced
        ({"performance-desktop": 98}, True, 0),  # the rehearsal: reported
        ({"accessibility": 97}, True, 1),  # a steady figure fails either way
    ],
)
def test_performance_is_enforced_unless_the_rehearsal_asks_for_a_report(
    scores: dict[str, int],
    reported_only: bool,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(
        check_budget_cli, "check_budget", lambda *args, **kwargs: [_budget_with(**scores)]
    )
    if reported_only:
        monkeypatch.setenv(check_budget_cli.PERFORMANCE_ENV, "report")
    else:
        monkeypatch.delenv(check_budget_cli.PERFORMANCE_ENV, raising=False)
    assert check_budget_cli.main([str(SITES / "budget")]) == code
    out = capsys.readouterr().out
    assert ("index.html: performance-desktop 98 < 99" in out) is (code == 1 and not reported_only)


@pytest.mark.parametrize(
    ("env", "asked"),
    [(None, ["desktop", "mobile"]), ("mobile", ["mobile"])],
)
def test_the_presets_are_both_unless_the_rehearsal_names_one(
    env: str | None, asked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    called: dict[str, list[str]] = {}

    def measure(*args, presets: list[str]) -> list[PageBudget]:
        called["presets"] = presets
        return [_budget_with()]

    monkeypatch.setattr(check_budget_cli, "check_budget", measure)
    if env is None:
        monkeypatch.delenv(check_budget_cli.PRESETS_ENV, raising=False)
    else:
        monkeypatch.setenv(check_budget_cli.PRESETS_ENV, env)
    assert check_budget_cli.main([str(SITES / "budget")]) == 0
    assert called["presets"] == asked


def test_an_unknown_preset_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        check_budget_cli.main([str(SITES / "budget"), "--presets", "tablet"])
    assert stopped.value.code == 2
    assert "'tablet'" in capsys.readouterr().err
