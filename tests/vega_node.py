"""Run a chart's spec with the site's own vendored Vega-Lite and Vega, headless in Node.

A chart whose controls recompute a teaching model in the browser is tested here against the
Python model: the spec is compiled with the vendored Vega-Lite, run with the vendored Vega, each
set of signals (param values) is applied in turn, and every named dataset is read back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

VENDOR = Path(__file__).resolve().parents[1] / "src" / "crmc" / "sphinxext" / "static" / "crmc" / "vendor"

_SCRIPT = """
const Module = require('module');
const vegaPath = process.argv[2];
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vega' ? vegaPath : resolve.call(this, request, ...rest);
};
const vega = require(vegaPath);
const vl = require(process.argv[3]);
const fs = require('fs');
const spec = JSON.parse(fs.readFileSync(process.argv[4], 'utf8'));
const signalSets = JSON.parse(fs.readFileSync(process.argv[5], 'utf8'));
const keep = JSON.parse(process.argv[6]);  // null: whole rows; else only rows with these fields
const project = (rows) => keep === null ? rows : rows
  .filter((row) => keep.every((f) => f in row))
  .map((row) => Object.fromEntries(keep.map((f) => [f, row[f]])));
const compiled = vl.compile(spec).spec;
const view = new vega.View(vega.parse(compiled), {renderer: 'none'});
(async () => {
  const states = [];
  for (const signals of signalSets) {
    for (const [name, value] of Object.entries(signals)) view.signal(name, value);
    await view.runAsync();
    const out = {};
    for (const d of compiled.data) out[d.name] = project(view.data(d.name));
    states.push(JSON.stringify(out));  // now: Vega reuses its tuples on the next run
  }
  process.stdout.write('[' + states.join(',') + ']');
})().catch((error) => { console.error(error); process.exit(1); });
"""


def run_in_vega(
    spec: dict[str, Any], signal_sets: Sequence[dict[str, Any]], tmp_path: Path,
    fields: Sequence[str] | None = None,
) -> list[Any]:
    """Every named dataset of ``spec`` after each set of signals, in order (one Node run).

    ``fields``: keep only the rows that have all of them, and only those fields (large runs).
    """
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to run the chart's expressions with the site's Vega")
    script = tmp_path / "run.js"
    script.write_text(_SCRIPT)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    signals_file = tmp_path / "signals.json"
    signals_file.write_text(json.dumps(list(signal_sets)))
    done = subprocess.run(
        [node, str(script), str(VENDOR / "vega" / "vega.min.js"),
         str(VENDOR / "vega-lite" / "vega-lite.min.js"), str(spec_file), str(signals_file),
         json.dumps(None if fields is None else list(fields))],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    states: list[Any] = json.loads(done.stdout)
    assert len(states) == len(signal_sets)
    return states


def rows_with(state: Any, *fields: str) -> list[dict[str, Any]]:
    """Every row, in any dataset of ``state``, that has all of ``fields``."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if all(f in node for f in fields):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(state)
    return found
