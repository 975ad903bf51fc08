"""Static site checks on small hand-made sites with known defects.

Each defect is the hand-made ``good`` site with one thing broken (a row of ``DEFECTS``:
which file, which text becomes what); the checks must report exactly that defect (kind,
page and a message naming the culprit) and nothing else, and the good site must pass.
The same checks run on the real render in ``test_render.py`` and in the workflow
(``scripts/check_site.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from penguin_site.checks import static
from scripts import check_site

ROOT = Path(__file__).resolve().parents[2]
SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"


def kinds(problems: list[static.Defect]) -> set[tuple[str, str]]:
    return {(problem.file, problem.kind) for problem in problems}


def test_good_site_passes() -> None:
    assert static.check_site(SITES / "good", ["index.html", "model.html"]) == []


GOOD_OUTPUT = '<div class="cell-output cell-output-stdout"><pre>R² = 0.85</pre></div>'
GOOD_IMAGE = '<img src="figures/mass.png" alt="Scatter plot of body mass against bill length">'
GOOD_FOOTER = (
    "  <p>Built from commit 1a2b3c4 on 2025-01-01 with Quarto 1.7.34 · Python 3.11.7 ·\n"
    "  pandas 3.1.0 · scikit-learn 1.7.1 · plotnine 0.15.0</p>"
)

# (defect, file, text in the good site, what it becomes, problems expected, culprit named)
DEFECTS: list[tuple[str, str, str, str, set[tuple[str, str]], str]] = [
    (
        "duplicate-id",
        "model.html",
        '<p id="fig-residuals">',
        '<p id="fig-residuals"><span id="fig-residuals"></span>',
        {("model.html", "duplicate-id")},
        "'fig-residuals'",
    ),
    (
        "missing-alt",
        "index.html",
        GOOD_IMAGE,
        '<img src="figures/mass.png" alt="">',
        {("index.html", "missing-alt")},
        "figures/mass.png",
    ),
    (
        "missing-title",
        "index.html",
        "<title>Penguins \u2013 Home</title>",
        "<title> </title>",
        {("index.html", "missing-title")},
        "<title>",
    ),
    (
        "external-script",
        "model.html",
        "</head>",
        '<script src="https://cdn.example.invalid/lib.js"></script>\n</head>',
        {("model.html", "third-party-resource")},
        "cdn.example.invalid",
    ),
    (
        "web-font",
        "site_libs/site.css",
        "",
        '@import url("https://fonts.googleapis.com/css2?family=Lato&display=swap");\n',
        {("index.html", "third-party-resource"), ("model.html", "third-party-resource")},
        "fonts.googleapis.com",
    ),
    (
        "traceback",
        "model.html",
        GOOD_OUTPUT,
        '<div class="cell-output cell-output-stdout"><pre>Traceback (most recent call last):\n'
        '  File "&lt;stdin&gt;", line 1, in &lt;module&gt;\n'
        "KeyError: 'bill_length_mm'</pre></div>",
        {("model.html", "traceback")},
        "Traceback (most recent call last)",
    ),
    (
        "ansi-error",
        "model.html",
        GOOD_OUTPUT,
        '<div class="cell-output cell-output-error"><pre><span class="ansi-red-fg">---&gt;</span>'
        " [0;31mValueError[0m: bad input</pre></div>",
        {("model.html", "ansi-escape"), ("model.html", "error-output")},
        "error",
    ),
    (
        "stderr-warning",
        "model.html",
        GOOD_OUTPUT,
        '<div class="cell-output cell-output-stderr"><pre>FutureWarning: the default will change'
        "</pre></div>",
        {("model.html", "stderr-output")},
        "stderr",
    ),
    (
        "broken-link",
        "index.html",
        'href="model.html#fig-residuals"',
        'href="modle.html#fig-residuals"',
        {("index.html", "broken-link")},
        "modle.html",
    ),
    (
        "missing-image",
        "index.html",
        'src="figures/mass.png"',
        'src="figures/mass-v2.png"',
        {("index.html", "broken-link")},
        "figures/mass-v2.png",
    ),
    (
        "missing-provenance",
        "model.html",
        GOOD_FOOTER,
        "  <p>Built from an unknown commit with Quarto 1.7.34 · Python 3.11.7 ·\n"
        "  pandas 3.1.0 · plotnine 0.15.0</p>",
        {("model.html", "missing-provenance")},
        "scikit-learn",
    ),
    (
        "missing-footer",
        "model.html",
        f'<footer class="footer"><div class="nav-footer">\n{GOOD_FOOTER}\n</div></footer>',
        "",
        {("model.html", "missing-footer")},
        "<footer>",
    ),
]


def broken_site(tmp_path: Path, defect: str) -> Path:
    """A copy of the good site with exactly one defect from ``DEFECTS``."""
    _, file, good, bad, _, _ = next(row for row in DEFECTS if row[0] == defect)
    site = tmp_path / defect
    shutil.copytree(SITES / "good", site)
    path = site / file
    text = path.read_text(encoding="utf-8")
    assert text.count(good) >= 1, f"{good!r} is not in the good site's {file}"
    path.write_text(text.replace(good, bad, 1) if good else bad + text, encoding="utf-8")
    return site


@pytest.mark.parametrize(
    ("defect", "expected", "culprit"),
    [(row[0], row[4], row[5]) for row in DEFECTS],
    ids=[row[0] for row in DEFECTS],
)
def test_each_defect_is_reported(
    tmp_path: Path, defect: str, expected: set[tuple[str, str]], culprit: str
) -> None:
    problems = static.check_site(broken_site(tmp_path, defect))
    assert kinds(problems) == expected
    assert any(culprit in problem.message for problem in problems), problems


def test_missing_provenance_names_every_missing_part(tmp_path: Path) -> None:
    problems = static.check_site(broken_site(tmp_path, "missing-provenance"))
    text = " ".join(problem.message for problem in problems)
    assert "git commit" in text
    assert "build date" in text
    assert "scikit-learn" in text
    assert "pandas" not in text  # still in the footer, so not reported


def test_required_page_that_was_not_rendered_is_reported() -> None:
    problems = static.check_site(SITES / "good", ["index.html", "eda.html"])
    assert kinds(problems) == {("eda.html", "missing-page")}


def test_empty_or_absent_site_folder_never_passes(tmp_path: Path) -> None:
    assert kinds(static.check_site(tmp_path)) == {(".", "missing-page")}
    with pytest.raises(FileNotFoundError, match="does not exist"):
        static.check_site(tmp_path / "nowhere")


def test_quarto_library_folder_is_not_checked_as_pages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "good", site)
    (site / "site_libs" / "widget.html").write_text("<html><img src=x></html>")
    assert static.check_site(site) == []


@pytest.mark.parametrize(
    ("css", "urls"),
    [
        (
            '@import url("https://fonts.googleapis.com/css2?family=Lato");',
            ["https://fonts.googleapis.com/css2?family=Lato"],
        ),
        ("@import 'https://example.invalid/a.css';", ["https://example.invalid/a.css"]),
        ("a { background: url(img/x.png) }", ["img/x.png"]),
        (
            'a { background: url("data:image/svg+xml,%3csvg '
            "xmlns='http://www.w3.org/2000/svg'%3e\") }",
            [],
        ),
        ("@font-face { src: url('../fonts/b.woff2') format('woff2') }", ["../fonts/b.woff2"]),
    ],
)
def test_css_urls(css: str, urls: list[str]) -> None:
    assert static.css_urls(css) == urls


@pytest.mark.parametrize(
    ("url", "third_party"),
    [
        ("https://cdn.jsdelivr.net/npm/x", True),
        ("//fonts.gstatic.com/a.woff", True),
        ("http://127.0.0.1:8000/x.js", True),
        ("site_libs/quarto.js", False),
        ("/site_libs/quarto.js", False),
        ("../figures/a.png", False),
        ("data:,", False),
    ],
)
def test_is_third_party(url: str, third_party: bool) -> None:
    assert static.is_third_party(url) is third_party


def test_footer_versions_reads_each_tool() -> None:
    footer = "commit 1a2b3c4 on 2025-01-01 with Quarto 1.7.34 · Python 3.11.7 · pandas 3.1.0 · "
    footer += "scikit-learn 1.7.1 · plotnine 0.15.0"
    assert static.footer_problems(footer) == []
    assert static.footer_versions(footer) == {
        "Quarto": "1.7.34",
        "Python": "3.11.7",
        "pandas": "3.1.0",
        "scikit-learn": "1.7.1",
        "plotnine": "0.15.0",
    }


def test_cli_passes_good_site(capsys: pytest.CaptureFixture[str]) -> None:
    code = check_site.main([str(SITES / "good"), "--require", "index.html", "model.html"])
    assert code == 0
    assert "2 page(s)" in capsys.readouterr().out


def test_cli_reports_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = broken_site(tmp_path, "missing-alt")
    code = check_site.main([str(site), "--require", "index.html"])
    out = capsys.readouterr()
    assert code == 1
    assert out.out.splitlines() == [
        "index.html: missing-alt: <img src='figures/mass.png'> has no alt text"
    ]
    assert "1 problem(s)" in out.err


def test_cli_missing_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_site.main([str(tmp_path / "_site")]) == 2
    assert "render the site first" in capsys.readouterr().err


def test_cli_requires_the_three_pages_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_site.main([str(SITES / "good")]) == 1
    assert "eda.html: missing-page" in capsys.readouterr().out


# --- links to the repository, and what a published build must have ---------------------------

PUBLICATION = static.Publication()
REPO = "https://github.com/palmer-lab/penguin-site"

# (defect, file, text in the published site, what it becomes, problems expected, culprit named)
PUBLISH_DEFECTS: list[tuple[str, str, str, str, set[tuple[str, str]], str]] = [
    (
        "placeholder-repository",
        "model.html",
        f'<a href="{REPO}">Source</a>',
        '<a href="https://github.com/penguin-site/penguin-site">Source</a>',
        {("model.html", "placeholder-link")},
        "https://github.com/penguin-site/penguin-site",
    ),
    (
        "placeholder-issue-link",
        "index.html",
        f'<a href="{REPO}/issues/new">',
        '<a href="https://github.com/OWNER/REPO/issues/new">',
        {("index.html", "placeholder-link")},
        "OWNER/REPO",
    ),
    (
        "no-repository-link",
        "model.html",
        f'<a href="{REPO}">Source</a> <a href="{REPO}/issues/new">Report an issue</a>',
        "",
        {("model.html", "missing-repo-link")},
        REPO,
    ),
    (
        "no-repository-found",
        "build.json",
        f'"repo_url": "{REPO}"',
        '"repo_url": null',
        {(".", "missing-repo-url")},
        "GITHUB_REPOSITORY",
    ),
    (
        "no-site-url",
        "build.json",
        '"site_url": "https://penguins.example.org/site/"',
        '"site_url": null',
        {(".", "missing-site-url")},
        "SITE_URL",
    ),
    (
        "no-build-record",
        "build.json",
        '"commit": "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",',
        "",
        {("build.json", "missing-build-record")},
        "build.json",
    ),
    (
        "page-missing-from-sitemap",
        "sitemap.xml",
        "<loc>https://penguins.example.org/site/model.html</loc>",
        "<loc>https://penguins.example.org/site/modle.html</loc>",
        {("sitemap.xml", "sitemap")},
        "model.html",
    ),
    (
        "sitemap-on-another-host",
        "sitemap.xml",
        "<loc>https://penguins.example.org/site/index.html</loc>",
        "<loc>https://penguins.example.org/site/index.html</loc></url><url>"
        "<loc>https://localhost/index.html</loc>",
        {("sitemap.xml", "sitemap")},
        "https://localhost/index.html",
    ),
    (
        "wrong-canonical-link",
        "model.html",
        '<link rel="canonical" href="https://penguins.example.org/site/model.html">',
        '<link rel="canonical" href="https://penguins.example.org/model.html">',
        {("model.html", "canonical-link")},
        "https://penguins.example.org/site/model.html",
    ),
]


def published_site_with(tmp_path: Path, defect: str) -> Path:
    """A copy of the ``published`` fixture with exactly one defect from ``PUBLISH_DEFECTS``."""
    _, file, good, bad, _, _ = next(row for row in PUBLISH_DEFECTS if row[0] == defect)
    site = tmp_path / defect
    shutil.copytree(SITES / "published", site)
    path = site / file
    text = path.read_text(encoding="utf-8")
    assert good in text, f"{good!r} is not in the published site's {file}"
    path.write_text(text.replace(good, bad), encoding="utf-8")
    return site


def test_published_site_passes_the_publish_checks() -> None:
    assert static.check_site(SITES / "published", ["index.html"], PUBLICATION) == []


@pytest.mark.parametrize(
    ("defect", "expected", "culprit"),
    [(row[0], row[4], row[5]) for row in PUBLISH_DEFECTS],
    ids=[row[0] for row in PUBLISH_DEFECTS],
)
def test_each_publish_defect_is_reported(
    tmp_path: Path, defect: str, expected: set[tuple[str, str]], culprit: str
) -> None:
    problems = static.check_site(published_site_with(tmp_path, defect), (), PUBLICATION)
    assert kinds(problems) == expected
    assert any(culprit in problem.message for problem in problems), problems


def test_a_placeholder_link_fails_even_without_publish(tmp_path: Path) -> None:
    site = published_site_with(tmp_path, "placeholder-repository")
    assert kinds(static.check_site(site)) == {("model.html", "placeholder-link")}


def test_missing_sitemap_and_build_record_only_matter_for_a_publish(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "published", site)
    (site / "sitemap.xml").unlink()
    assert static.check_site(site) == []
    assert kinds(static.check_site(site, (), PUBLICATION)) == {("sitemap.xml", "missing-sitemap")}
    (site / "build.json").unlink()
    assert kinds(static.check_site(site, (), PUBLICATION)) == {
        ("build.json", "missing-build-record")
    }


def test_publish_compares_with_the_repository_and_url_it_is_given() -> None:
    wanted = static.Publication("https://github.com/someone/else", "https://penguins.example.org/")
    problems = static.check_site(SITES / "published", (), wanted)
    assert kinds(problems) == {
        ("index.html", "missing-repo-link"),
        ("model.html", "missing-repo-link"),
        ("index.html", "canonical-link"),
        ("model.html", "canonical-link"),
        ("sitemap.xml", "sitemap"),
    }


@pytest.mark.parametrize(
    ("url", "placeholder"),
    [
        ("https://github.com/penguin-site/penguin-site", True),
        ("https://github.com/penguin-site/penguin-site/blob/main/eda.qmd", True),
        ("https://github.com/OWNER/REPO", True),
        ("https://github.com/your-user/anything.git", True),
        ("https://github.com/palmer-lab/penguin-site", False),
        ("https://github.com/penguin-site", False),
        ("model.html", False),
    ],
)
def test_is_placeholder_repository(url: str, placeholder: bool) -> None:
    assert static.is_placeholder_repository(url) is placeholder


def test_cli_publish_names_page_and_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = published_site_with(tmp_path, "no-repository-link")
    assert check_site.main([str(site), "--require", "index.html"]) == 0
    capsys.readouterr()
    assert check_site.main([str(site), "--require", "index.html", "--publish"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"model.html: missing-repo-link: no link to the repository {REPO}"
    ]


def test_cli_repo_url_needs_publish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        check_site.main([str(SITES / "published"), "--repo-url", REPO])
    assert stop.value.code == 2
    assert "go with --publish" in capsys.readouterr().err
