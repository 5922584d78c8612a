"""The documentation site builds, with warnings as errors, and its internal links hold.

One build of the whole site (``python -m sphinx -W``, gallery executed) into a temporary
folder; the tests then read the built pages. A docstring that does not parse, a cross-reference
or page link to nothing, a gallery example that fails, a command or a case-file key missing from
the generated references fails here. The build takes about two minutes on two cores, most of it
the gallery's short studies (docs/building.md).
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed")
pytest.importorskip("sphinx_gallery", reason="the docs extra (sphinx-gallery) is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DESIGNOPT_DOCS_GALLERY", None)  # the test always runs the gallery
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",  # warnings are errors
            "--keep-going",  # ... all of them reported at once
            "-q",
            "-b",
            "html",
            "-d",
            str(out / "doctrees"),
            str(DOCS),
            str(out / "html"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, f"the site did not build:\n{proc.stderr[-6000:]}"
    return out / "html"


class _Page(HTMLParser):
    """The ids and the links (href, src) of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in ("href", "src") and value:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path) -> list[str]:
    """Links from one page of the built site to another that name no file or no anchor."""
    pages = {
        p.resolve(): _parse(p)
        for p in site.rglob("*.html")
        if "_static" not in p.relative_to(site).parts  # the theme's templates, not pages
    }
    assert len(pages) > 50
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("javascript:"):
                continue  # outside the site: not checked (no network in CI)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            where = path.relative_to(site.resolve())
            if not target.exists():
                broken.append(f"{where}: {link} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{where}: {link} (no such anchor)")
    return broken


def test_internal_links_resolve(site):
    """Every link from one page of the site to another names a file that exists, and its
    ``#anchor`` exists in that page (the builder's own pages included)."""
    assert broken_links(site) == []


def _public_modules() -> list[str]:
    names = []
    for package in ("designopt", "formulations"):
        names.append(package)
        module = __import__(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                names.append(info.name)
    return names


def test_api_reference_has_every_public_module(site):
    modules = _public_modules()
    assert "designopt.evaluate.sources.air" in modules
    missing = [m for m in modules if not (site / "generated" / "api" / f"{m}.html").exists()]
    assert missing == []
    page = (site / "generated" / "api" / "designopt.cycle.compressor.html").read_text("utf-8")
    assert 'id="designopt.cycle.compressor.Compressor"' in page  # members, not only a title


def test_cli_reference_has_every_command(site):
    from designopt.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]  # the sub-command choices
    ids = _parse(site / "cli.html").ids
    assert len(sub.choices) >= 10
    assert [name for name in sub.choices if f"designopt-{name}" not in ids] == []


@pytest.mark.parametrize(
    ("page", "model"),
    [("case-schema", "designopt.case:Case"), ("sweep-schema", "designopt.sweep.spec:SweepSpec")],
)
def test_schema_page_lists_every_key(site, page, model):
    import importlib

    module, _, name = model.partition(":")
    cls = getattr(importlib.import_module(module), name)
    text = (site / "generated" / f"{page}.html").read_text(encoding="utf-8")
    keys = [f.alias or k for k, f in cls.model_fields.items() if not f.exclude]
    assert [
        k
        for k in keys
        if f'<code class="docutils literal notranslate"><span class="pre">{k}</span></code>'
        not in text
    ] == []
    assert "base_dir" not in text  # set by load_case, never written in a file


def test_gallery_examples_ran_and_show_figures(site):
    examples = sorted(p.stem for p in (DOCS / "gallery").glob("*.py"))
    assert len(examples) >= 5
    for stem in examples:
        page = _parse(site / "auto_examples" / f"{stem}.html")
        figures = [s for s in page.links if f"sphx_glr_{stem}_0" in s]
        assert figures, f"{stem}: no figure on its page (the example did not run?)"


def test_changelog_and_guide_are_in_the_site(site):
    changelog = (site / "changelog.html").read_text(encoding="utf-8")
    first = next(
        line[4:].strip()
        for line in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("### ")
    )
    assert first.split("(")[0].strip() in changelog
    guide = [p.stem for p in DOCS.glob("*.md")]
    assert [s for s in guide if not (site / f"{s}.html").exists()] == []


def test_readme_links_and_picture_exist():
    """The README's relative links and its picture of a front point at files in the checkout
    (the README is read on the code host, outside the site)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#\s]+)", text) if "://" not in t]
    assert any(t.endswith(".png") for t in targets)
    assert [t for t in targets if not (ROOT / t).exists()] == []
