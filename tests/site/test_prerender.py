"""The freezer is kept only while what the pages' outputs depend on is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

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
