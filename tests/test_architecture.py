"""The package's four rooms keep their rules: no cycles, no leaks, light imports.

Two views, as great-tables tests its own imports: the import graph read from the source
(every ``import`` of ``penguin_site``, at any depth, lazy ones included), and fresh
interpreters that import a room and list what ``sys.modules`` then holds.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from penguin_site.analysis.digest import analysis_sources
from penguin_site.config import ROOT

PACKAGE = ROOT / "src" / "penguin_site"
ROOMS = ("analysis", "site", "publish", "checks")
#: Modules at the top of the package, which every room may use and which use no room.
SHARED = (
    "penguin_site.config",
    "penguin_site.files",
    "penguin_site.clock",
    "penguin_site.study",
)
HEAVY = ("pandas", "numpy", "sklearn", "skops", "plotnine", "pandera", "scipy")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """``penguin_site`` modules a file imports (``from penguin_site.x import y`` -> x.y or x)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("penguin_site")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("penguin_site"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                known = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py")
                names.add(candidate if known.is_file() else node.module)
    return names


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return {module_name(p): imported_modules(p) for p in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "shared"


def test_every_module_lives_in_a_room_or_is_shared(graph: dict[str, set[str]]) -> None:
    stray = [m for m in graph if room(m) == "shared" and m not in (*SHARED, "penguin_site")]
    assert stray == []


def test_there_is_no_import_cycle(graph: dict[str, set[str]]) -> None:
    def visit(module: str, path: tuple[str, ...]) -> None:
        for target in graph.get(module, ()):
            assert target not in path, " -> ".join((*path, target))
            visit(target, (*path, target))

    for module in graph:
        visit(module, (module,))


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("analysis", {"site", "publish", "checks"}),
        ("publish", {"analysis", "site", "checks"}),
        ("checks", {"analysis", "site"}),
        ("shared", set(ROOMS)),
    ],
)
def test_rooms_import_only_what_they_may(
    graph: dict[str, set[str]], source: str, forbidden: set[str]
) -> None:
    leaks = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if room(module) == source
        for target in targets
        if room(target) in forbidden
    ]
    assert leaks == []


def loaded_after_import(*modules: str) -> set[str]:
    """Top-level names in ``sys.modules`` after a fresh interpreter imports ``modules``."""
    code = (
        "import json, sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "modules",
    [
        ("penguin_site.publish.s3", "penguin_site.publish.smoke"),
        ("penguin_site.checks.static", "penguin_site.checks.browser"),
    ],
    ids=["publish", "checks"],
)
def test_publishing_and_checking_load_no_data_science_stack(modules: tuple[str, ...]) -> None:
    assert loaded_after_import(*modules) & set(HEAVY) == set()


def test_a_page_reading_results_loads_no_modelling_library(build_dir: Path) -> None:
    """What a page's first cell does, in a fresh interpreter: import the facade, read."""
    code = (
        "import json, sys\n"
        "from penguin_site.site import pages\n"
        f"pages.ensure_results({str(build_dir)!r})\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "pandas" in loaded  # it does read tables
    assert loaded & {"sklearn", "skops", "plotnine", "pandera"} == set()


def test_the_analysis_digest_covers_the_analysis_and_nothing_else() -> None:
    sources = {p.resolve() for p in analysis_sources()}
    analysis = {p.resolve() for p in (PACKAGE / "analysis").glob("*.py")}
    shared = {(PACKAGE / f"{name.split('.')[-1]}.py").resolve() for name in SHARED}
    assert sources == analysis | shared
    for other in ("site", "publish", "checks"):
        assert not any(p.is_relative_to(PACKAGE / other) for p in sources), other


def test_public_modules_name_their_surface() -> None:
    missing = [
        module_name(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__init__.py"
        and "__all__" not in path.read_text(encoding="utf-8")
        and module_name(path) != "penguin_site.config"  # constants only: all of it is public
    ]
    assert missing == []


def test_readme_tree_lists_every_module_once() -> None:
    """The README's map of the package is the package: a new module must be added there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme[
        readme.index("src/penguin_site/\n") : readme.index(
            "```", readme.index("src/penguin_site/\n")
        )
    ]
    listed, folder = [], ""
    for line in tree.splitlines()[1:]:
        name = line.lstrip("│├└─ ").split()[0]
        if name.endswith("/"):
            folder = name
        elif name.endswith((".py", ".js")):
            depth = len(line) - len(line.lstrip("│├└─ "))
            listed.append(f"{folder if depth > 4 else ''}{name}")
    actual = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.suffix in {".py", ".js"} and p.name != "__init__.py"
    )
    assert sorted(listed) == actual


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in helper modules, so a team can drop a test module it replaces."""
    tests = ROOT / "tests"
    offenders = []
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[-1].startswith("test_")
            ]
    assert offenders == []
