"""Page facts: every number, date and table a book page quotes, computed in the package.

Each page of the book has one module here (``part1`` for ``book/part1-history.md``, ...)
whose ``build()`` returns a :class:`Page`: the facts its prose quotes through
``{glue:text}``, the HTML blocks it places with ``{glue:}``, the tables its visible cells
show, and the data frames its chart and explorer calls take. A page's only hidden cell is::

    import crmc
    from crmc import charts, explorers
    page = crmc.page("part1")

and its visible cells are one-line calls such as ``charts.timeline_chart(page.timeline)``.
The facts are plain values, so tests check them without a notebook.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Literal, get_args

from crmc.data import DataDir
from crmc.pages.base import Fact, Page
from crmc.pages.selfcheck_facts import selfcheck_facts

__all__ = ["PAGES", "Fact", "Page", "PageName", "build", "facts", "page"]

PageName = Literal["intro", "part1", "part2", "part3", "part4", "epilogue", "data_sources"]
"""Every page with facts; the module of the same name builds it."""

PAGES: tuple[PageName, ...] = get_args(PageName)


def build(name: PageName, data_dir: DataDir = None) -> Page:
    """The facts, tables and frames of page ``name`` (nothing is glued or displayed)."""
    if name not in PAGES:
        raise KeyError(f"unknown page {name!r}; known pages: {', '.join(PAGES)}")
    module = importlib.import_module(f"crmc.pages.{name}")
    page: Page = module.build(data_dir)
    # Here rather than in Page.self_check: selfcheck_facts reads the page helpers in base.
    return dataclasses.replace(page, selfcheck_facts=selfcheck_facts(name, data_dir))


def facts(name: PageName, data_dir: DataDir = None) -> dict[str, Fact]:
    """Just the quoted facts of page ``name``: glue name → value."""
    return dict(build(name, data_dir).facts)


def page(name: PageName, data_dir: DataDir = None) -> Page:
    """A page's one setup call: enable the theme and renderer, build, glue every fact."""
    from crmc.notebook import setup_notebook

    setup_notebook()
    built = build(name, data_dir)
    built.glue()
    return built
