"""The mime type under which the module's charts leave a notebook.

A leaf module (it imports nothing), so the site's mime renderer
(:mod:`crmc.sphinxext.vegalite`) can read it without loading Altair, pandas, pandera or
any chart module inside Sphinx. :mod:`crmc.charts.render` emits outputs under it.
"""

from typing import Final

CHART_MIME_TYPE: Final = "application/vnd.crmc.vegalite+json"
