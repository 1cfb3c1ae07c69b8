"""MyST Markdown of a book page → plain Markdown a notebook front end renders.

The site and the student notebooks come from one source: the page's MyST Markdown cells. In
JupyterLab, MyST roles and directives would show as raw text, so each markdown cell is rendered
here the way Sphinx renders it, into CommonMark plus the little HTML that JupyterLab's sanitizer
keeps (``<details>``, tables):

- ``{glue:text}`` / ``{glue}`` / ``{glue:}`` take the value the executed page glued
  (:class:`GlueStore`), formatted as MyST-NB formats it;
- ``{cite:p}`` / ``{cite:t}`` become author–year citations and ``{bibliography}`` the page's
  reference list (:class:`Citations`);
- admonitions become block quotes with a bold title, dropdowns ``<details>`` (closed);
- ``{doc}`` / ``{ref}`` become links to the released notebooks (:class:`Links`);
- ``(label)=`` targets and ``%`` comments are dropped.

A role or directive the converter does not know raises :class:`ConversionError`, so a page
that cannot be rendered faithfully fails the release instead of shipping raw MyST.
"""

from __future__ import annotations

import html
import re
from ast import literal_eval
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GLUE_PREFIX = "application/papermill.record/"


class ConversionError(ValueError):
    """A page's MyST cannot be rendered to plain Markdown (message names the construct)."""


# ---------------------------------------------------------------------------------------------
# Glue


@dataclass
class GlueStore:
    """The values a page glued (``myst_nb.glue``), read from its executed notebook."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_notebook(cls, nb: Mapping[str, Any]) -> GlueStore:
        values: dict[str, dict[str, Any]] = {}
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
                scrapbook = (output.get("metadata") or {}).get("scrapbook")
                if not scrapbook or "name" not in scrapbook:
                    continue
                prefix = str(scrapbook.get("mime_prefix") or "")
                bundle = {
                    mime[len(prefix):]: data
                    for mime, data in (output.get("data") or {}).items()
                    if mime.startswith(prefix)
                }
                values[str(scrapbook["name"])] = bundle
        return cls(values)

    def bundle(self, key: str) -> dict[str, Any]:
        if key not in self.values:
            raise ConversionError(f"glue key {key!r} was not glued by the executed page")
        return self.values[key]

    def text(self, spec: str) -> str:
        """``{glue:text}`key:fmt``` as MyST-NB renders it (literal-eval, then ``format``)."""
        key, _, fmt = spec.partition(":")
        data = self.bundle(key.strip())
        if "text/plain" not in data:
            raise ConversionError(f"glue key {key!r} has no text/plain value")
        return format_plain_text(_joined(data["text/plain"]), fmt)

    def block(self, key: str) -> str:
        """``{glue:}`` / ``{glue}``: the richest representation Markdown can hold."""
        data = self.bundle(key.strip())
        if "text/html" in data:
            # One line per block element keeps CommonMark's HTML block unbroken.
            return "\n".join(
                line for line in _joined(data["text/html"]).splitlines() if line.strip()
            )
        if "text/markdown" in data:
            return _joined(data["text/markdown"])
        if "image/png" in data:
            return f'<img alt="{html.escape(key)}" src="data:image/png;base64,{data["image/png"]}">'
        if "text/plain" in data:
            return html.escape(format_plain_text(_joined(data["text/plain"]), ""))
        raise ConversionError(f"glue key {key!r} has no representation Markdown can show")


def format_plain_text(text: str, fmt_spec: str) -> str:
    """The same rule as ``myst_nb.core.variables.format_plain_text`` (quotes removed)."""
    try:
        value: Any = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if fmt_spec == "":
        return str(value)
    kind = fmt_spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, fmt_spec)


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# ---------------------------------------------------------------------------------------------
# Citations


@dataclass
class Citations:
    """Author–year citations and reference lists from the book's BibTeX file."""

    bib_file: Path
    _entries: Any = None
    cited: list[str] = field(default_factory=list)

    @property
    def entries(self) -> Any:
        if self._entries is None:
            from pybtex.database import parse_file

            self._entries = parse_file(str(self.bib_file)).entries
        return self._entries

    def _entry(self, key: str) -> Any:
        if key not in self.entries:
            raise ConversionError(f"citation {key!r} is not in {self.bib_file.name}")
        if key not in self.cited:
            self.cited.append(key)
        return self.entries[key]

    def authors(self, key: str) -> str:
        entry = self._entry(key)
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.last_names) or " ".join(p.first_names) for p in people]
        names = [n.replace("{", "").replace("}", "") for n in names]
        if not names:
            return _plain(entry.fields.get("organization") or entry.fields.get("title") or key)
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            return f"{names[0]} and {names[1]}"
        return f"{names[0]} et al."

    def year(self, key: str) -> str:
        return _plain(self._entry(key).fields.get("year", "n.d."))

    def parenthetical(self, keys: str) -> str:
        return "(" + "; ".join(
            f"{self.authors(k)} {self.year(k)}" for k in _keys(keys)
        ) + ")"

    def textual(self, keys: str) -> str:
        return "; ".join(f"{self.authors(k)} ({self.year(k)})" for k in _keys(keys))

    def bibliography(self) -> str:
        """The entries cited so far on this page, as a Markdown list (author–year order)."""
        if not self.cited:
            return ""
        from pybtex.database import BibliographyData
        from pybtex.plugin import find_plugin

        style = find_plugin("pybtex.style.formatting", "plain")()
        data = BibliographyData({k: self.entries[k] for k in self.cited})
        formatted = {e.key: e.text.render_as("markdown") for e in style.format_entries(
            data.entries.values())}
        order = sorted(self.cited, key=lambda k: (self.authors(k), self.year(k)))
        return "\n".join(
            f"- {self.authors(k)} ({self.year(k)}). {formatted[k]}" for k in order
        )


def _keys(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def _plain(value: Any) -> str:
    return str(value).replace("{", "").replace("}", "")


# ---------------------------------------------------------------------------------------------
# Links between released notebooks


@dataclass
class Links:
    """Where a ``{doc}`` or ``{ref}`` target lives in the release, relative to this page."""

    docname: str
    release_path: Callable[[str], str | None]
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """label → (docname, title), collected from every page's ``(label)=`` targets."""

    def doc(self, target: str) -> str:
        docname = _resolve_doc(self.docname, target)
        path = self.release_path(docname)
        if path is None:
            return ""
        here = Path(self.release_path(self.docname) or self.docname).parent
        return _relative(Path(path), here)

    def ref(self, label: str) -> tuple[str, str]:
        if label not in self.labels:
            raise ConversionError(f"reference to unknown label {label!r}")
        docname, title = self.labels[label]
        path = self.release_path(docname)
        here = Path(self.release_path(self.docname) or self.docname).parent
        return title, (_relative(Path(path), here) if path else "")


def _resolve_doc(current: str, target: str) -> str:
    target = target.removesuffix(".md").removesuffix(".ipynb")
    if target.startswith("/"):
        return target.lstrip("/")
    parts = (Path(current).parent / target).parts
    stack: list[str] = []
    for part in parts:
        if part == "..":
            stack.pop()
        elif part != ".":
            stack.append(part)
    return "/".join(stack)


def _relative(path: Path, here: Path) -> str:
    import os

    return Path(os.path.relpath(path, here)).as_posix()


# ---------------------------------------------------------------------------------------------
# The converter


ROLE = re.compile(r"\{(?P<name>[a-zA-Z][\w:-]*)\}`(?P<content>[^`]*)`")
FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<fence>:{3,}|`{3,})\{(?P<name>[^}]+)\}(?P<arg>.*)$")
ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
    "warning": "Warning", "caution": "Caution", "attention": "Attention", "danger": "Danger",
    "error": "Error", "seealso": "See also",
}
TITLED_REF = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


@dataclass
class Converter:
    """Render one page's MyST markdown cells to plain Markdown."""

    glue: GlueStore
    citations: Citations
    links: Links

    def cell(self, source: str) -> str:
        lines = [ln for ln in source.splitlines()
                 if not re.match(r"^\s*\([\w.:-]+\)=\s*$", ln) and not ln.startswith("%")]
        return self._blocks(lines).strip("\n")

    # -- blocks --------------------------------------------------------------------------------

    def _blocks(self, lines: list[str]) -> str:
        out: list[str] = []
        i = 0
        while i < len(lines):
            match = FENCE_OPEN.match(lines[i])
            if not match:
                if re.match(r"^\s*(```|~~~)", lines[i]):  # a plain code fence: copy verbatim
                    j = self._close(lines, i, lines[i].strip()[:3])
                    out.extend(lines[i:j + 1])
                    i = j + 1
                    continue
                out.append(self._inline(lines[i]))
                i += 1
                continue
            fence = match["fence"]
            end = self._close(lines, i, fence)
            body = [ln[len(match["indent"]):] for ln in lines[i + 1:end]]
            options, body = _options(body)
            name = match["name"].strip()
            out.append(self._directive(name, match["arg"].strip(), options, body))
            i = end + 1
        return "\n".join(out)

    @staticmethod
    def _close(lines: list[str], start: int, fence: str) -> int:
        char = fence[0]
        depth = 0
        for j in range(start + 1, len(lines)):
            stripped = lines[j].strip()
            opener = FENCE_OPEN.match(lines[j])
            if opener and opener["fence"][0] == char and len(opener["fence"]) == len(fence):
                depth += 1
            elif stripped == char * len(stripped) and len(stripped) >= len(fence) and stripped:
                if depth == 0:
                    return j
                depth -= 1
        raise ConversionError(f"unclosed fence {fence!r} opened by {lines[start].strip()!r}")

    def _directive(self, name: str, arg: str, options: dict[str, str], body: list[str]) -> str:
        inner = self._blocks(body).strip("\n")
        if name in ("glue:", "glue", "glue:any"):
            return self.glue.block(arg)
        if name == "glue:figure":
            caption = f"\n\n*{inner}*" if inner else ""
            return self.glue.block(arg) + caption
        if name == "admonition" or name in ADMONITIONS:
            title = self._inline(arg) if name == "admonition" else ADMONITIONS[name]
            if name != "admonition" and arg:
                inner = self._inline(arg) + ("\n\n" + inner if inner else "")
            return _quote(f"**{title}**\n\n{inner}" if title else inner)
        if name == "dropdown":
            title = self._inline(arg) or "Show"
            return f"<details>\n<summary>{title}</summary>\n\n{inner}\n\n</details>"
        if name == "bibliography":
            refs = self.citations.bibliography()
            return refs
        if name in ("code-block", "code", "sourcecode"):
            return "```" + arg + "\n" + "\n".join(body) + "\n```"
        if name == "math":
            return "$$\n" + "\n".join(body) + "\n$$"
        if name in ("figure", "image"):
            alt = options.get("alt", inner or arg)
            return f"![{alt}]({arg})" + (f"\n\n*{inner}*" if name == "figure" and inner else "")
        if name == "epigraph":
            return _quote(inner)
        raise ConversionError(f"directive {{{name}}} has no plain-Markdown rendering")

    # -- inline --------------------------------------------------------------------------------

    def _inline(self, line: str) -> str:
        return ROLE.sub(lambda m: self._role(m["name"], m["content"]), line)

    def _role(self, name: str, content: str) -> str:
        if name == "glue:text":
            return self.glue.text(content)
        if name in ("glue", "glue:", "glue:any"):
            return self.glue.block(content)
        if name == "glue:md":
            return _joined(self.glue.bundle(content.partition(":")[0])["text/markdown"])
        if name in ("cite:p", "cite:ps", "cite"):
            return self.citations.parenthetical(content)
        if name in ("cite:t", "cite:ts"):
            return self.citations.textual(content)
        if name == "doc":
            titled = TITLED_REF.match(content)
            title, target = (titled["title"], titled["target"]) if titled else (None, content)
            path = self.links.doc(target)
            label = title or Path(target).name.replace("-", " ")
            return f"[{label}]({path})" if path else label
        if name in ("ref", "numref"):
            titled = TITLED_REF.match(content)
            label_target = titled["target"] if titled else content
            title, path = self.links.ref(label_target)
            text = titled["title"] if titled else title
            return f"[{text}]({path})" if path else text
        if name == "download":
            titled = TITLED_REF.match(content)
            if titled:
                return f"[{titled['title']}]({titled['target']})"
            return f"[{content}]({content})"
        if name in ("term", "abbr", "sub", "sup", "kbd", "guilabel", "menuselection"):
            titled = TITLED_REF.match(content)
            return titled["title"] if titled and name == "term" else content
        if name == "math":
            return f"${content}$"
        raise ConversionError(f"role {{{name}}} has no plain-Markdown rendering")


def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    i = 0
    while i < len(body) and (m := re.match(r"^:([\w-]+):\s*(.*)$", body[i])):
        options[m[1]] = m[2]
        i += 1
    return options, body[i:]


def _quote(text: str) -> str:
    return "\n".join(f"> {ln}" if ln else ">" for ln in text.splitlines())


def page_labels(docname: str, source: str) -> dict[str, tuple[str, str]]:
    """``(label)=`` targets of a page → (docname, the heading that follows)."""
    labels: dict[str, tuple[str, str]] = {}
    lines = source.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\s*\(([\w.:-]+)\)=\s*$", line)
        if not m:
            continue
        title = next((re.sub(r"^#+\s*", "", ln).strip() for ln in lines[i + 1:]
                      if ln.strip()), m[1])
        labels[m[1]] = (docname, title)
    return labels
