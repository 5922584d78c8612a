"""Sphinx extension of the designopt site: what is generated from the code, never by hand.

* **API pages** (:func:`api_page`): when the build starts, one page per public module of
  :data:`API_PACKAGES` is written to ``docs/generated/api/<module>.rst``: its docstring, tables
  of its sub-modules, classes, functions and documented data, then each one's documentation.
* **File schemas** (:func:`schema_page`): each model in :data:`SCHEMAS` becomes
  ``docs/generated/<slug>.md``, one table per TOML table of the file (key, type, default,
  description with the allowed values), from the model's ``model_json_schema()``.
* **Cross-references** to a name a package re-exports resolve to where the object is defined
  (:func:`resolve_reexport`).
* **Gallery figures**: :class:`WrittenFigures` shows the PNG files an example's commands wrote.

A module, field or bound added in the code shows on the next build; ``docs/generated/`` is not
kept in git.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class SchemaPage:
    slug: str  # the page docs/generated/<slug>.md
    model: str  # "module:Class"
    title: str
    intro: str
    extra: str = ""  # "module:function" returning more Markdown for the end of the page


SCHEMAS = (
    SchemaPage(
        "case-schema",
        "designopt.case:Case",
        "Case file schema",
        "Every table and key of a case file (TOML), generated from the pydantic model "
        "{py:class}`designopt.case.Case`. Keys not listed are refused. How the fields are used, "
        "with examples: [the case-file guide](../case-files.md).",
    ),
    SchemaPage(
        "sweep-schema",
        "designopt.sweep.spec:SweepSpec",
        "Sweep file schema",
        "Every table and key of a sweep file (TOML), generated from the pydantic model "
        "{py:class}`designopt.sweep.spec.SweepSpec`. Keys not listed are refused. How a sweep "
        "runs: [policy sweeps](../sweep.md).",
        extra="designopt_docs:sweep_axes",
    ),
)


def sweep_axes() -> list[str]:
    """The names an ``[axes.NAME]`` table may take, from :data:`designopt.sweep.spec.AXES`."""
    from designopt.sweep.spec import AXES

    lines = [
        "",
        "(sweep-schema-axes)=",
        "## Axis names",
        "",
        "An `[axes.NAME]` table takes one of these names (`designopt.sweep.spec.AXES`); "
        "values outside the physical range are refused.",
        "",
        "| name | unit | what | lowest | highest |",
        "|---|---|---|---|---|",
    ]
    for name, (unit, long_name, low, high) in AXES.items():
        lines.append(f"| `{name}` | {_cell(unit)} | {_cell(long_name)} | {low:g} | {high:g} |")
    return lines


def _load(dotted: str) -> type[BaseModel]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every pydantic model reachable from ``root``'s fields, by class name."""
    found: dict[str, type[BaseModel]] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in found:
                return
            found[tp.__name__] = tp
            for field in tp.model_fields.values():
                visit(field.annotation)
        for arg in typing.get_args(tp):
            visit(arg)

    visit(root)
    return found


def _anchor(slug: str, name: str) -> str:
    return f"{slug}-{name.lower()}"


def _type(prop: dict[str, Any], slug: str, defs: dict[str, Any]) -> str:
    """A JSON-schema type in words, with links to the tables of nested models."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        if "properties" not in defs.get(name, {}):  # an enum or alias: say what it allows
            return _type(defs[name], slug, defs)
        return f"{{ref}}`{name} <{_anchor(slug, name)}>`"
    if "anyOf" in prop:
        parts = [_type(p, slug, defs) for p in prop["anyOf"]]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in prop:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items")
        return f"list of {_type(items, slug, defs)}" if items else "list"
    if kind == "object":
        values = prop.get("additionalProperties")
        if isinstance(values, dict):
            return f"table of name = {_type(values, slug, defs)}"
        return "table"
    if kind == "null":
        return "none"
    if isinstance(kind, list):
        return " or ".join(kind)
    return {"number": "number", "integer": "integer", "string": "string"}.get(kind, str(kind))


_BOUNDS = (
    ("minimum", "≥ {}"),
    ("exclusiveMinimum", "> {}"),
    ("maximum", "≤ {}"),
    ("exclusiveMaximum", "< {}"),
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("pattern", "matches `{}`"),
)


def _bounds(prop: dict[str, Any]) -> str:
    parts = [text.format(prop[key]) for key, text in _BOUNDS if key in prop]
    for alt in prop.get("anyOf", ()):
        parts += [text.format(alt[key]) for key, text in _BOUNDS if key in alt]
    return ", ".join(parts)


def _default(name: str, prop: dict[str, Any], required: set[str]) -> str:
    if name in required:
        return "**required**"
    if "default" not in prop:
        return ""
    value = prop["default"]
    if value is None:
        return "not set"  # TOML has no null: leave the key out
    if isinstance(value, dict) and value:
        return "its table's defaults"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _words(text: str) -> str:
    """Prose from a docstring or field description, with ``<name>`` kept as text, not HTML."""
    return _cell(text).replace("<", "\\<")


def _table(
    schema: dict[str, Any], model: type[BaseModel] | None, slug: str, defs: dict[str, Any]
) -> list[str]:
    internal = {
        field.alias or name
        for name, field in (model.model_fields.items() if model else ())
        if field.exclude
    }
    required = set(schema.get("required", ()))
    lines = [
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for name, prop in schema.get("properties", {}).items():
        if name in internal:
            continue
        allowed = _bounds(prop)
        text = _words(prop.get("description", ""))
        if allowed:
            text = f"{text}; allowed: {allowed}" if text else f"allowed: {allowed}"
        row = (f"`{name}`", _type(prop, slug, defs), _default(name, prop, required), text)
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    extra = schema.get("additionalProperties")
    if extra is False:
        lines += ["", "Other keys are refused."]
    return lines


def _refs(prop: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, model name) of every nested model a property holds: table, named tables, array."""
    out = []
    if "$ref" in prop:
        out.append(("table", prop["$ref"].rsplit("/", 1)[-1]))
    for alt in prop.get("anyOf", ()):
        out += _refs(alt)
    if isinstance(prop.get("additionalProperties"), dict):
        out += [("named", name) for _, name in _refs(prop["additionalProperties"])]
    if isinstance(prop.get("items"), dict):
        out += [("array", name) for _, name in _refs(prop["items"])]
    return out


def toml_paths(schema: dict[str, Any]) -> dict[str, list[str]]:
    """Where each model of the schema sits in the TOML file, e.g. ``Receiver -> [[noise.receivers]]``."""
    defs = schema.get("$defs", {})
    paths: dict[str, list[str]] = {}

    def walk(sub: dict[str, Any], prefix: str) -> None:
        for key, prop in sub.get("properties", {}).items():
            for kind, name in _refs(prop):
                if "properties" not in defs.get(name, {}):
                    continue
                dotted = f"{prefix}{key}" + (".NAME" if kind == "named" else "")
                shown = f"[[{dotted}]]" if kind == "array" else f"[{dotted}]"
                if shown not in paths.setdefault(name, []):
                    paths[name].append(shown)
                    walk(defs[name], dotted + ".")

    walk(schema, "")
    return paths


def schema_page(page: SchemaPage) -> str:
    """The Markdown text of one schema page."""
    root = _load(page.model)
    models = _models(root)
    schema = root.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    where = toml_paths(schema)
    out = [
        "% generated by docs/_ext/designopt_docs.py from the pydantic models: do not edit",
        "",
        f"# {page.title}",
        "",
        page.intro,
        "",
        f"({_anchor(page.slug, root.__name__)})=",
        f"## The top level ({root.__name__})",
        "",
        _words(schema.get("description", "")),
        "",
        *_table(schema, root, page.slug, defs),
    ]
    for name in [*where, *sorted(set(defs) - set(where))]:  # in the file's order
        sub = defs[name]
        if "properties" not in sub:  # an enum: its values are written where it is used
            continue
        out += [
            "",
            f"({_anchor(page.slug, name)})=",
            "## " + ", ".join(f"`{p}`" for p in where.get(name, ())) + f" ({name})",
            "",
            _words(sub.get("description", "")),
            "",
            *_table(sub, models.get(name), page.slug, defs),
        ]
    if page.extra:
        out += _load(page.extra)()
    return "\n".join(out) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


#: The packages whose public modules get an API page.
API_PACKAGES = ("designopt", "formulations")


def public_modules(package: str) -> list[str]:
    """``package`` and every module below it whose dotted name has no part starting with ``_``."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def _children(name: str, modules: list[str]) -> list[str]:
    depth = name.count(".") + 1
    return [m for m in modules if m.startswith(f"{name}.") and m.count(".") == depth]


def _own_members(module: Any) -> dict[str, list[str]]:
    """Public names defined in ``module`` (not imported into it), by kind, in source order:
    classes, functions, and data documented with a ``#:`` comment."""
    from sphinx.pycode import ModuleAnalyzer

    kinds: dict[str, list[str]] = {"Classes": [], "Functions": [], "Data": []}
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj):
            kinds["Classes"].append(name)
        elif callable(obj) and inspect.isfunction(inspect.unwrap(obj)):  # also functools.cache
            kinds["Functions"].append(name)
    try:
        documented = ModuleAnalyzer.for_module(module.__name__).find_attr_docs()
    except Exception:  # no source to read: no data documentation either
        documented = {}
    for scope, name in documented:
        if scope == "" and not name.startswith("_") and hasattr(module, name):
            kinds["Data"].append(name)
    return kinds


_DIRECTIVE = {"Classes": "autoclass", "Functions": "autofunction", "Data": "autodata"}


def api_page(name: str, modules: list[str]) -> str:
    """The reStructuredText of one module's API page: its docstring, summary tables of its
    sub-modules and members, then each member's documentation.

    Written here rather than by autosummary's recursion, which documents a module whose package
    re-exports a function of the same name (``designopt.evaluate.value``) as that function."""
    module = importlib.import_module(name)
    lines = [
        ".. generated by docs/_ext/designopt_docs.py: do not edit",
        "",
        name,
        "=" * len(name),
        "",
        f".. automodule:: {name}",
        "   :no-members:",
        "",
        f".. currentmodule:: {name}",
        "",
    ]
    children = _children(name, modules)
    if children:
        lines += [".. rubric:: Modules", "", ".. list-table::", "   :widths: 35 65", ""]
        for child in children:
            doc = inspect.getdoc(importlib.import_module(child)) or ""
            summary = doc.split("\n\n")[0].replace("\n", " ")
            lines += [f"   * - :py:mod:`{child}`", f"     - {summary}"]
        lines += ["", ".. toctree::", "   :hidden:", ""]
        lines += [f"   {child}" for child in children]
        lines.append("")
    members = _own_members(module)
    for kind, names in members.items():
        if names:
            lines += [f".. rubric:: {kind}", "", ".. autosummary::", ""]
            lines += [f"   {n}" for n in names]
            lines.append("")
    for kind, names in members.items():
        for n in names:
            lines += [f".. {_DIRECTIVE[kind]}:: {n}", ""]
    return "\n".join(lines) + "\n"


def generate(app: Any) -> None:
    out = Path(app.srcdir) / "generated"
    for page in SCHEMAS:
        _write_if_changed(out / f"{page.slug}.md", schema_page(page))
    api = out / "api"
    for package in API_PACKAGES:
        modules = public_modules(package)
        for name in modules:
            _write_if_changed(api / f"{name}.rst", api_page(name, modules))


class WrittenFigures:
    """A sphinx-gallery image scraper for the PNG figures designopt writes to disk.

    designopt's commands save their figures (``pareto_front.png``, ``switchover.png`` ...) and
    close them, so matplotlib's own scraper never sees them.  After each code block this one
    looks in every folder that the example holds in a :class:`~pathlib.Path` variable and shows
    the PNG files written or changed by the block, in the order they were written.  The
    example's code stays what a user would write.
    """

    def __init__(self) -> None:
        self._seen: dict[str, dict[Path, int]] = {}

    def __repr__(self) -> str:  # sphinx-gallery hashes the configuration by repr
        return "WrittenFigures()"

    def __call__(self, block: Any, block_vars: dict[str, Any], gallery_conf: dict) -> str:
        from sphinx_gallery.scrapers import figure_rst

        seen = self._seen.setdefault(str(block_vars["src_file"]), {})
        folders = {
            value
            for value in block_vars["example_globals"].values()
            if isinstance(value, Path) and value.is_dir()
        }
        new = []
        for folder in folders:
            for png in folder.glob("*.png"):
                stamp = png.stat().st_mtime_ns
                if seen.get(png) != stamp:
                    seen[png] = stamp
                    new.append((stamp, png.name, png))
        images = []
        for _, _, png in sorted(new):
            target = Path(next(block_vars["image_path_iterator"]))
            shutil.copyfile(png, target)
            images.append(target)
        # one full-width figure each: the report's figures are too detailed for thumbnails
        return "".join(figure_rst([image], gallery_conf["src_dir"]) for image in images)


def canonical_name(target: str) -> str | None:
    """Where the object named ``target`` is defined, e.g. ``designopt.cycle.HeatPumpDesign`` ->
    ``designopt.cycle.design.HeatPumpDesign`` (packages re-export their modules' names, and the
    API reference documents each object once, where it is defined)."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        break
    else:
        return None
    for attr in parts[i:]:
        obj = inspect.getattr_static(obj, attr, None)
        if obj is None:
            return None
        obj = getattr(obj, "__func__", obj)  # classmethod, staticmethod
    if inspect.ismodule(obj):
        return obj.__name__
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not (module and qualname) or "<" in qualname:
        return None
    return f"{module}.{qualname}"


def resolve_reexport(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """A cross-reference to a re-exported name resolves to the object's own page."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith(("designopt", "formulations")):
        return None
    canonical = canonical_name(target)
    if canonical is None or canonical == target:
        return None
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode
    )


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    app.connect("missing-reference", resolve_reexport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
