"""The freezer is kept only while what the pages' outputs depend on is unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from penguin_site.analysis.dataset import load_snapshot
from penguin_site.config import ROOT
from penguin_site.site import prerender


@pytest.fixture
def freezer(tmp_path: Path) -> Path:
    (tmp_path / "_freeze" / "eda" / "execute-results").mkdir(parents=True)
    return tmp_path / "_freeze"


def test_pages_digest_follows_the_analysis_and_the_page_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = prerender.pages_digest()
    assert before == prerender.pages_digest()
    monkeypatch.setattr(prerender, "analysis_digest", lambda: "other results")
    assert prerender.pages_digest() != before
    assert prerender.pages_digest("other results") == prerender.pages_digest()


def test_freezer_is_kept_under_the_same_digest_and_cleared_under_another(
    freezer: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "build" / prerender.PAGES_DIGEST_FILE
    prerender.refresh_freezer(freezer, marker, "one")
    assert not freezer.exists(), "no record of how it was made: cleared"
    assert marker.read_text().strip() == "one"

    freezer.mkdir()
    prerender.refresh_freezer(freezer, marker, "one")
    assert freezer.is_dir(), "same digest: Quarto may reuse it"

    prerender.refresh_freezer(freezer, marker, "two")
    assert not freezer.exists()
    assert marker.read_text().strip() == "two"


def test_the_cache_key_command_prints_the_pages_digest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert prerender.main(["--pages-digest"]) == 0
    assert capsys.readouterr().out.strip() == prerender.pages_digest()


def test_the_home_page_facts_are_computed_once_per_pages_digest(
    build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts the home page quotes come from the build's results, and a render with
    nothing changed reads them back instead of loading pandas to compute them again."""
    from penguin_site.analysis.results import load_results
    from penguin_site.site import facts

    monkeypatch.setattr(prerender, "BUILD_DIR", build_dir)
    cache = tmp_path / prerender.FACTS_FILE
    expected = facts.as_variables(facts.key_facts(load_results(build_dir)))
    assert prerender.quoted_facts(cache, "digest one") == expected
    assert json.loads(cache.read_text())["pages_digest"] == "digest one"

    stale = {**expected, "r2": "kept from before"}
    cache.write_text(json.dumps({"pages_digest": "digest one", "facts": stale}))
    assert prerender.quoted_facts(cache, "digest one") == stale, "same digest: read back"
    assert prerender.quoted_facts(cache, "digest two") == expected, "new digest: computed"


def test_the_hook_writes_the_facts_into_quarto_variables(
    build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_build = tmp_path / "_build" / "analysis"
    shutil.copytree(build_dir, own_build)
    monkeypatch.setattr(prerender, "BUILD_DIR", own_build)
    assert prerender.pre_render(tmp_path, "never", {"SOURCE_DATE_EPOCH": "0"}) == 0
    variables = yaml.safe_load((tmp_path / "_variables.yml").read_text(encoding="utf-8"))
    assert variables["facts"]["rows"] == f"{len(load_snapshot()):,}"
    assert set(variables) == {"build", "versions", "facts"}


def test_the_pages_digest_covers_the_site_room_and_not_the_other_rooms() -> None:
    """The code the pages run is in ``site`` (the analysis code is in the analysis digest);
    editing the publisher or the checks must not re-execute every page."""
    package = ROOT / "src" / "penguin_site"
    covered = {path.relative_to(package).as_posix() for path in prerender.page_code(package)}
    pages_run = {"site/pages.py", "site/facts.py", "site/markdown.py", "site/notebooks.py"}
    assert pages_run | {"site/predictor.js"} <= covered
    assert not {p for p in covered if not p.startswith("site/")}
