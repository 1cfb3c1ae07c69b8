"""A Jupyter server extension that serves the module's vendored Vega bundles.

In a live notebook the charts are drawn by the same pinned Vega, Vega-Lite and vega-embed
bundles the site serves (``crmc/sphinxext/static/crmc/vendor``), fetched from the notebook's own
server at ``{base_url}crmc/static/…``: a hub with no outside network still draws every chart.
Installing the package enables it (``etc/jupyter/jupyter_server_config.d/crmc.json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC_ROUTE = "crmc/static"
"""Below the server's base URL; :mod:`crmc.notebook` builds the same URL in the browser."""


def static_dir() -> Path:
    """The package's own static files (package data, wherever the package is installed)."""
    return Path(__file__).with_name("sphinxext") / "static" / "crmc"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "crmc.jupyter_server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.base.handlers import FileFindHandler
    from jupyter_server.utils import url_path_join

    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], STATIC_ROUTE, "(.*)")
    web_app.add_handlers(".*$", [(route, FileFindHandler, {"path": [str(static_dir())]})])
    serverapp.log.info("crmc: serving the vendored Vega bundles at %s", route)
