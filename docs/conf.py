"""Sphinx configuration of the designopt documentation site.

Build (from the repository root, after ``pip install ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Set ``DESIGNOPT_DOCS_GALLERY=0`` to skip executing the gallery (about a minute faster). See
building.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(ROOT))  # the checkout's designopt, also without `pip install -e .`

from designopt_docs import WrittenFigures  # noqa: E402

import designopt  # noqa: E402

project = "designopt"
author = "designopt developers"
copyright = "designopt developers"  # noqa: A001
release = designopt.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinxarg.ext",
    "sphinx_gallery.gen_gallery",
    "designopt_docs",  # docs/_ext: API pages per module, schema tables, the gallery's scraper
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "gallery"]  # gallery/: the example scripts, run into auto_examples/
templates_path = ["_templates"]

# -- MyST: the user guide is plain Markdown that also reads well on a code host ---------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 4  # `[text](page.md#a-heading)` links resolve, and are checked
suppress_warnings = [
    # the user guide pages are written as stand-alone Markdown files, each starting at "#" but
    # some jumping from "#" to "###" under a table; that is a style choice, not a broken page
    "myst.header",
    # a few TOML blocks show a template line such as `[space.<variable>]`, which is not TOML:
    # Pygments then highlights them in its relaxed mode, which reads fine
    "misc.highlighting_failure",
]

# -- API reference from the docstrings ----------------------------------------------------------
autosummary_generate = False  # the API pages are written by docs/_ext (see there)
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    # a package re-exports its modules' names in __all__: document each object once, where it
    # is defined, so that cross-references are not ambiguous
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
# types of parameters and attributes as text, not cross-references: numpydoc types such as
# "(n,) ndarray" would otherwise link the word "n" to an attribute that happens to be called n
napoleon_use_param = False
napoleon_use_ivar = True

# -- the executed gallery -----------------------------------------------------------------------
run_gallery = os.environ.get("DESIGNOPT_DOCS_GALLERY", "1") != "0"
sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/(plot|tutorial)_",
    "plot_gallery": "True" if run_gallery else "False",
    "download_all_examples": False,
    "remove_config_comments": True,
    "capture_repr": (),  # print what matters; no stray return codes under the cells
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib", WrittenFigures()),
    "abort_on_example_error": True,
    "run_stale_examples": True,  # rerun even if the script did not change: the package may have
    "only_warn_on_example_error": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"designopt {release}"
html_static_path = ["_static"]
html_css_files = ["designopt.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
# pages without sub-pages: no empty "Section Navigation" column
html_sidebars = {page: [] for page in ("index", "changelog", "cli", "building")}
