"""Launch buttons that open the student release, not the instructors' source tree.

The site is built from the source repository, but students run the *release* (``crmc release``,
published as its own branch, named by ``crmc_release_branch`` in ``_config.yml``): readable page
notebooks and the exercises' student notebooks, without masters or solutions. sphinx-book-theme
builds its Binder and JupyterHub buttons from the page's own path; this module rewrites them to the
release branch and to the path each page has in the release (:func:`release_path`), and drops the
launch menu of a page the release does not hold.

This module imports nothing else of the package: ``crmc.release`` imports the layout from here,
so the site and the release cannot disagree about where a notebook lives.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

EXERCISE_DOC = re.compile(r"^book/exercises/(?P<name>[\w-]+)$")


def release_path(docname: str, *, is_notebook: bool) -> str | None:
    """Where the notebook for Sphinx ``docname`` lives in the release, or None.

    An exercise page ``book/exercises/<name>`` → ``exercises/<name>/<name>.ipynb`` (beside its
    ``data/`` and public ``tests/``); any other notebook page keeps its path with ``.ipynb``.
    """
    match = EXERCISE_DOC.match(docname)
    if match and match["name"] != "index":
        return f"exercises/{match['name']}/{match['name']}.ipynb"
    if is_notebook and not docname.startswith("book/exercises/"):
        return f"{docname}.ipynb"
    return None


def github_parts(repository_url: str) -> tuple[str, str] | None:
    match = re.match(r"https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repository_url)
    return (match[1], match[2]) if match else None


def binder_url(binderhub: str, repository_url: str, branch: str, path: str) -> str | None:
    parts = github_parts(repository_url)
    if not parts or not binderhub:
        return None
    org, repo = parts
    return (f"{binderhub.rstrip('/')}/v2/gh/{org}/{repo}/{quote(branch, safe='')}"
            f"?urlpath=lab/tree/{path}")


def jupyterhub_url(hub: str, repository_url: str, branch: str, path: str) -> str | None:
    """nbgitpuller's link: clone (or update, keeping the student's edits) and open ``path``."""
    parts = github_parts(repository_url)
    if not parts or not hub:
        return None
    params = urlencode({"repo": repository_url, "branch": branch,
                        "urlpath": f"lab/tree/{parts[1]}/{path}"}, safe="/")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{params}"


def rewrite_launch_buttons(app: Any, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context`` after sphinx-book-theme (priority 501) built its buttons."""
    branch = str(app.config.crmc_release_branch or "")
    buttons = context.get("header_buttons") or []
    group = next((b for b in buttons if b.get("label") == "launch-buttons"), None)
    if group is None or not branch:
        return
    theme = app.config.html_theme_options
    launch = theme.get("launch_buttons", {})
    repository = str(theme.get("repository_url", ""))
    is_notebook = "kernelspec" in app.env.metadata.get(pagename, {})
    path = release_path(pagename, is_notebook=is_notebook)
    if path is None:
        buttons.remove(group)
        return
    urls = {
        "Binder": binder_url(str(launch.get("binderhub_url", "")), repository, branch, path),
        "JupyterHub": jupyterhub_url(str(launch.get("jupyterhub_url", "")), repository, branch,
                                     path),
    }
    kept = []
    for button in group.get("buttons", []):
        text = str(button.get("text", ""))
        if text in urls:
            if urls[text] is None:
                continue
            button["url"] = urls[text]
        kept.append(button)
    group["buttons"] = kept
    if not kept:
        buttons.remove(group)
