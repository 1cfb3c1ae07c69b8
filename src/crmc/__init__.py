"""China–Russia Military Cooperation: the teaching module's package.

Layers, data flowing one way: sourced data files and schemas (:mod:`crmc.data`) →
derived series, chart functions and explorers → book pages and exercises, which import
from here and hold no logic of their own.
"""

__version__ = "0.1.0"
