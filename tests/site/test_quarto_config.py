"""``_quarto.yml`` and the pages' front matter, checked without Quarto.

Every file they name must exist, the options the issue asks for must be set (navbar,
search, light/dark themes, table of contents, folded code with code tools, source link,
provenance footer, errors fail the render, freeze for authors), nothing may pull code or
fonts from another host, and the footer must read exactly the variables the pre-render
hook writes, in a form the site check accepts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers import front_matter

from penguin_site.analysis.contract import CATEGORIES
from penguin_site.checks import static
from penguin_site.config import PAGE_SOURCES, QUARTO_VERSION, ROOT
from penguin_site.site import links, provenance
from penguin_site.site.facts import Facts

CONFIG = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
PAGES = PAGE_SOURCES
VAR = re.compile(r"\{\{<\s*var\s+([\w.-]+)\s*>\}\}")
#: Themes Quarto ships (no file in the project); the rest of a theme list are our SCSS files.
BUILTIN_THEMES = {"cosmo", "darkly"}


def html_format() -> dict[str, object]:
    return CONFIG["format"]["html"]


def test_project_is_a_website_rendering_the_three_pages_into_site() -> None:
    project = CONFIG["project"]
    assert project["type"] == "website"
    assert project["output-dir"] == "_site"
    assert project["render"] == list(PAGES)
    for page in project["render"]:
        assert (ROOT / page).is_file(), page
    # The site check requires exactly the pages the project renders.
    assert list(static.REQUIRED_PAGES) == [p.replace(".qmd", ".html") for p in PAGES]


def test_pre_render_hook_is_the_script_and_exists() -> None:
    hook = CONFIG["project"]["pre-render"]
    assert hook == "scripts/pre_render.py"
    assert (ROOT / hook).is_file()


def test_post_render_hook_writes_the_build_record() -> None:
    hook = CONFIG["project"]["post-render"]
    assert hook == "scripts/post_render.py"
    assert (ROOT / hook).is_file()


def test_navbar_links_home_eda_and_model_and_the_source() -> None:
    website = CONFIG["website"]
    left = website["navbar"]["left"]
    assert [(item["text"], item["href"]) for item in left] == [
        ("Home", "index.qmd"),
        ("Exploratory analysis", "eda.qmd"),
        ("Model", "model.qmd"),
    ]
    for item in left:
        assert (ROOT / item["href"]).is_file()


def test_repository_and_site_urls_come_from_the_hook_not_the_config() -> None:
    """No repository or site URL is typed in: the hook's _links.yml supplies them (or none)."""
    website = CONFIG["website"]
    assert "repo-url" not in website
    assert "site-url" not in website
    assert "right" not in website["navbar"]  # the source icon comes with the repo-url
    assert CONFIG["metadata-files"] == [links.LINKS_FILE]
    # Repository links only with a repository: Quarto warns on every page otherwise.
    assert "repo-actions" not in website
    assert html_format()["canonical-url"] is True
    text = (ROOT / "_quarto.yml").read_text(encoding="utf-8")
    assert "github.com/" not in text


def test_search_is_on_in_the_navbar_and_local() -> None:
    search = CONFIG["website"]["search"]
    assert search["location"] == "navbar"
    assert "algolia" not in search  # a hosted index would be loaded from another host


def test_light_and_dark_themes_with_the_site_layer_last() -> None:
    theme = html_format()["theme"]
    assert set(theme) == {"light", "dark"}
    assert theme["light"][0] == "cosmo" and theme["dark"][0] == "darkly"
    for variant in theme.values():
        assert variant[0] in BUILTIN_THEMES
        for layer in variant[1:]:
            assert (ROOT / layer).is_file(), layer


def test_theme_layer_turns_off_the_web_font_import() -> None:
    """cosmo and darkly import a web font in their rules, guarded by ``@if $web-font-path``."""
    for layer in {layer for v in html_format()["theme"].values() for layer in v[1:]}:
        scss = (ROOT / layer).read_text(encoding="utf-8")
        defaults = scss.split("/*-- scss:defaults --*/", 1)[1].split("/*-- scss:rules --*/", 1)[0]
        assert re.search(r"^\$web-font-path:\s*false;", defaults, re.MULTILINE), layer
        code = re.sub(r"(^|\s)//.*$", "", scss, flags=re.MULTILINE)
        # url("data:...") is drawn from the stylesheet itself (the inline GitHub logo).
        fetched = re.findall(r"url\(\s*(?![\"']?data:)", code)
        assert "@import" not in code and not fetched, f"{layer} loads something"


def test_pages_have_toc_folded_code_with_tools_and_no_cdn_math() -> None:
    html = html_format()
    assert html["toc"] is True
    assert html["code-fold"] is True
    assert html["code-tools"] is True
    # mathjax and katex load from a CDN by default; MathML needs nothing.
    assert html["html-math-method"] in {"mathml", "plain"}


def test_errors_fail_the_render_and_authors_freeze() -> None:
    execute = CONFIG["execute"]
    assert execute["error"] is False
    assert execute["freeze"] == "auto"
    for page in PAGES:
        assert "error" not in (front_matter(page).get("execute") or {}), page


def test_build_outputs_are_git_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    # "/.quarto/" exactly: Quarto appends that line to a .gitignore without it.
    for entry in ("_site/", "_freeze/", "_variables.yml", "_links.yml", "_build/", "/.quarto/"):
        assert entry in ignored, entry


@pytest.mark.parametrize("page", PAGES)
def test_page_front_matter(page: str) -> None:
    meta = front_matter(page)
    assert isinstance(meta["title"], str) and meta["title"].strip()
    has_code = "```{python}" in (ROOT / page).read_text(encoding="utf-8")
    # A page without code must not name a kernel: Quarto would start one for nothing.
    assert meta.get("jupyter") == ("python3" if has_code else None)
    for resource in meta.get("resources", []):
        # A leading / anchors the path at the project root (Quarto would match a bare
        # name at any depth); it must stay inside the project.
        assert resource.startswith("/"), resource
        path = Path(resource.removeprefix("/"))
        assert not path.is_absolute() and ".." not in path.parts, resource
        # Repository files must exist now; build artifacts are checked after a build
        # (tests/test_pages.py) because _build/ is created by the analysis.
        if path.parts[0] != "_build":
            assert (ROOT / path).is_file(), resource


def test_footer_shows_every_provenance_variable_the_hook_writes() -> None:
    footer = CONFIG["website"]["page-footer"]
    text = " ".join(footer.values())
    used = set(VAR.findall(text))
    written = provenance.to_variables(provenance.collect(ROOT))
    shown = {"build.commit", "build.date"} | {f"versions.{k}" for k in written["versions"]}
    assert used == shown
    for name in used:
        group, key = name.split(".")
        assert key in written[group], name
    assert "{{< version >}}" in text  # Quarto's own version, from Quarto


def test_footer_as_rendered_passes_the_site_check() -> None:
    """Fill the footer the way Quarto will, then run the same check the rendered site gets."""
    footer = " ".join(CONFIG["website"]["page-footer"].values())
    variables = provenance.to_variables(provenance.collect(ROOT))

    def value(match: re.Match[str]) -> str:
        group, key = match.group(1).split(".")
        return str(variables[group][key])

    filled = VAR.sub(value, footer).replace("{{< version >}}", QUARTO_VERSION)
    if "unknown" in filled:
        pytest.skip("not a git checkout: the footer has no commit to show")
    assert static.footer_problems(filled) == []
    assert static.footer_versions(filled)["Quarto"] == QUARTO_VERSION


def test_every_var_shortcode_in_the_pages_is_written() -> None:
    """The hook writes provenance and the facts (tests/site/test_prerender.py)."""
    written = {
        **provenance.to_variables(provenance.collect(ROOT)),
        "facts": dict.fromkeys(Facts.__dataclass_fields__, ""),
    }
    for page in PAGES:
        for name in VAR.findall((ROOT / page).read_text(encoding="utf-8")):
            group, *keys = name.split(".")
            found = written.get(group, {})
            assert keys[0] in found, f"{page} uses {name}"
            if group == "facts" and keys[0] == "effects":  # effects.<column>.<level>
                column, level = keys[1:]
                assert level in CATEGORIES[column][1:], f"{page} uses {name}"
