"""Architecture figures of a checkout: lines per layer, chart-function lengths, page cells,
and the package's import graph (with cycles and wrong-way arrows).

    python scripts/architecture_report.py            # this checkout
    python scripts/architecture_report.py OTHER_ROOT # e.g. an exported older revision

Reads files only (nothing is imported), so it runs on any revision's ``src/`` and ``book/``.
"""

from __future__ import annotations

import argparse
import ast
import re
import statistics
from collections import defaultdict
from pathlib import Path

CELL = re.compile(r"```\{code-cell\} ipython3\n(.*?)```\n", re.S)


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def imports_of(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every crmc module ``module`` imports, at module level or inside functions."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("crmc")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("crmc"):
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
    return found


def graph(src: Path) -> dict[str, set[str]]:
    files = {module_name(p, src): p for p in (src / "crmc").rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = imports_of(tree, module, path.name == "__init__.py")
        edges[module] = {t for t in targets if t in files and t != module}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def package_edges(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Module arrows that leave a package's own ``__init__`` (a package importing its own
    submodules is not an arrow between layers)."""
    return {
        (a, b)
        for a, targets in edges.items()
        for b in targets
        if not b.startswith(a + ".") and not a.startswith(b + ".")
    }


def chart_function_lengths(src: Path) -> list[int]:
    lengths = []
    for path in sorted((src / "crmc" / "charts").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_chart"):
                assert node.end_lineno is not None
                lengths.append(node.end_lineno - node.lineno + 1)
    return lengths


HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?\b")
STYLED = ("crmc/charts", "crmc/explorers")
"""Where chart styling is written: colours and font sizes there must come from the theme."""


def _is_font_size(name: str | None) -> bool:
    return bool(name) and (name == "fontSize" or str(name).endswith("FontSize"))


def style_literals(src: Path) -> list[str]:
    """``file:line: literal`` for every hex colour string and every font size given as a number
    (``fontSize=11``, ``labelFontSize=13``, ``{"fontSize": 12}``) outside ``charts/theme.py``."""
    found: list[str] = []
    for folder in STYLED:
        for path in sorted((src / folder).rglob("*.py")):
            if path.name == "theme.py":
                continue
            where = path.relative_to(src)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found += [f"{where}:{node.lineno}: {m}" for m in
                              HEX_COLOUR.findall(node.value)]
                pairs: list[tuple[str | None, ast.expr]] = []
                if isinstance(node, ast.keyword):
                    pairs = [(node.arg, node.value)]
                elif isinstance(node, ast.Dict):
                    pairs = [(k.value if isinstance(k, ast.Constant) else None, v)
                             for k, v in zip(node.keys, node.values, strict=True) if k]
                for name, value in pairs:
                    if _is_font_size(name) and isinstance(value, ast.Constant):
                        found.append(f"{where}:{value.lineno}: {name}={value.value!r}")
    return found


def page_cells(book: Path) -> dict[str, tuple[int, list[int], int]]:
    """Per page: hidden cells, line counts of visible code cells, code lines in all cells."""
    out = {}
    for path in sorted(book.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\njupytext:"):
            continue
        hidden, visible, code = 0, [], 0
        for match in CELL.finditer(text):
            body = [line for line in match.group(1).splitlines() if line.strip()]
            tags = [line for line in body if line.startswith(":tags:")]
            source = [line for line in body if not line.startswith(":")]
            code += len(source)
            if tags and "remove-cell" in tags[0]:
                hidden += 1
            else:
                visible.append(len(source))
        out[path.stem] = (hidden, visible, code)
    return out


def count_lines(paths: list[Path]) -> int:
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=str(Path.cwd()))
    root = Path(parser.parse_args().root)
    src = root / "src"

    print("## Lines per layer (Python source; data files in rows)")
    per_layer: dict[str, int] = defaultdict(int)
    for path in (src / "crmc").rglob("*.py"):
        per_layer[layer(module_name(path, src))] += len(path.read_text("utf-8").splitlines())
    for name, lines in sorted(per_layer.items()):
        print(f"  {name:24} {lines:5}")
    csvs = [p for p in (src / "crmc" / "data").glob("*.csv")]
    print(f"  {'curated CSV rows':24} {count_lines(csvs) - len(csvs):5}  ({len(csvs)} files)")
    cells = page_cells(root / "book")
    print(f"  {'code lines in book/*.md':24} {sum(c for _, _, c in cells.values()):5}")

    lengths = chart_function_lengths(src)
    print("\n## Chart functions (*_chart in crmc.charts)")
    print(f"  {len(lengths)} functions, median {statistics.median(lengths):.0f} lines, "
          f"longest {max(lengths)}")
    literals = style_literals(src)
    print(f"  hex colours and numeric font sizes outside charts/theme.py: {len(literals)}")
    for line in literals:
        print(f"    {line}")

    print("\n## Page cells (hidden = remove-cell; visible = every other code cell)")
    all_visible: list[int] = []
    for page, (hidden, visible, code) in cells.items():
        all_visible += visible
        print(f"  {page:28} hidden {hidden}  visible {len(visible)} "
              f"(lines {visible})  code lines {code}")
    if all_visible:
        print(f"  visible cells: median {statistics.median(all_visible):.0f} lines, "
              f"longest {max(all_visible)}")

    edges = graph(src)
    arrows = package_edges(edges)
    print("\n## Import graph (crmc modules; module-level and function-level imports)")
    for module in sorted(edges):
        targets = sorted(b for a, b in arrows if a == module)
        if targets:
            print(f"  {module} -> {', '.join(targets)}")
    found = cycles({a: {b for x, b in arrows if x == a} for a in edges})
    print(f"\n  cycles: {found or 'none'}")
    wrong = sorted(
        (a, b)
        for a, b in arrows
        if (a.startswith("crmc.explorers") and b.startswith("crmc.charts"))
        or (a.startswith("crmc.sphinxext") and b.startswith(("crmc.charts", "crmc.data")))
    )
    print(f"  explorer -> chart or site -> chart/data arrows: {wrong or 'none'}")


if __name__ == "__main__":
    main()
