/* Draw every chart container on the page with the locally served vega-embed.
 *
 * - The Vega bundles (about 280 KB gzipped) are not in the page head: once the page has
 *   first painted, this script downloads them, and runs them when the first chart comes
 *   near the screen. The text is on screen while they arrive (on a slow link,
 *   seconds earlier), and a phone reading the opening prose spends no time running Vega.
 *   The page lists the bundles on this script's tag (data-bundles).
 * - Charts near the viewport draw at once; the others when the reader scrolls near them
 *   (IntersectionObserver), so a long page does not pay for charts nobody has reached.
 *   Printing, and anything that calls crmcCharts.drawAll(), draws them all.
 * - Before drawing, a spec is fitted to its container: side-by-side views stack when they
 *   do not fit, views wider than the column narrow to it, long titles and subtitles wrap,
 *   and axis labels that would collide are thinned. CSS scales anything still too wide.
 * - A spec Vega cannot draw leaves a visible error in the page and a console error,
 *   so the browser tests fail on it instead of showing an empty box.
 */
(function () {
  "use strict";
  var CHAR_WIDTH = 0.56;    // average glyph width of the chart font, in ems
  var AXIS_ALLOWANCE = 110; // px beside a view for its y axis, labels and legend

  function showError(figure, view, err) {
    var message = document.createElement("p");
    message.className = "crmc-chart-error";
    message.setAttribute("role", "alert");
    message.textContent = "This chart could not be drawn: " + (err && err.message ? err.message : err);
    view.replaceChildren(message);
    figure.dataset.rendered = "error";
    console.error("crmc: chart " + figure.id + " failed:", err);
  }

  // Split text into lines of at most maxChars characters, at spaces.
  function wrapLine(text, maxChars) {
    var words = String(text).split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > maxChars) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function wrapText(text, width, fontSize) {
    var maxChars = Math.max(12, Math.floor(width / (fontSize * CHAR_WIDTH)));
    var parts = Array.isArray(text) ? text : [text];
    return parts.reduce(function (lines, part) { return lines.concat(wrapLine(part, maxChars)); }, []);
  }
  function wrapTitle(spec, width) {
    var cfg = (spec.config && spec.config.title) || {};
    if (spec.title === undefined || spec.title === null) { return; }
    var title = typeof spec.title === "object" && !Array.isArray(spec.title) ? spec.title : { text: spec.title };
    title.text = wrapText(title.text, width, title.fontSize || cfg.fontSize || 16);
    if (title.subtitle) {
      title.subtitle = wrapText(title.subtitle, width, title.subtitleFontSize || cfg.subtitleFontSize || 12);
    }
    spec.title = title;
  }

  // Rough drawn width of a view or composition (px), from its declared widths.
  function declaredWidth(spec) {
    if (spec.hconcat) { return spec.hconcat.reduce(function (s, c) { return s + declaredWidth(c) + 20; }, 0); }
    if (spec.vconcat) { return Math.max.apply(null, spec.vconcat.map(declaredWidth)); }
    if (spec.layer && typeof spec.width !== "number") { return Math.max.apply(null, spec.layer.map(declaredWidth).concat([0])); }
    return (typeof spec.width === "number" ? spec.width : 0) + AXIS_ALLOWANCE;
  }

  // Narrow every view wider than the column; subtitles of inner views wrap too.
  function narrow(spec, available) {
    ["hconcat", "vconcat", "concat"].forEach(function (key) {
      (spec[key] || []).forEach(function (child) { narrow(child, available); });
    });
    if (typeof spec.width === "number" && spec.width + AXIS_ALLOWANCE > available) {
      spec.width = Math.max(120, available - AXIS_ALLOWANCE);
    }
    if (spec.title !== undefined && spec.title !== null) { wrapTitle(spec, Math.max(120, available - 20)); }
  }

  // Encodings that place their legend on the right would override the config: move them down.
  function stripLegendOrient(spec, available) {
    ["hconcat", "vconcat", "concat", "layer"].forEach(function (key) {
      (spec[key] || []).forEach(function (child) { stripLegendOrient(child, available); });
    });
    Object.keys(spec.encoding || {}).forEach(function (channel) {
      var axis = spec.encoding[channel] && spec.encoding[channel].axis;
      if (axis && typeof axis === "object") {
        // An axis's own label limit wins over the config: cap it to the column too.
        var cap = Math.floor(available * (channel === "y" ? 0.38 : 0.9));
        axis.labelLimit = Math.min(axis.labelLimit || cap, cap);
        if (axis.titleLimit) { axis.titleLimit = Math.min(axis.titleLimit, available - 40); }
      }
      var legend = spec.encoding[channel] && spec.encoding[channel].legend;
      if (legend && typeof legend === "object" && (legend.orient === "right" || legend.orient === "left")) {
        legend.orient = "bottom";
      }
      if (legend && typeof legend === "object" && legend.labelLimit) {
        legend.labelLimit = Math.min(legend.labelLimit, Math.floor(available / 2));
      }
    });
  }

  function fitToContainer(spec, available) {
    if (spec.hconcat && declaredWidth(spec) > available) {
      // Side by side does not fit: stack the views.
      spec.vconcat = spec.hconcat;
      delete spec.hconcat;
    }
    narrow(spec, available);
    spec.config = spec.config || {};
    // Axes, legends and titles count in the width the column gives (Vega-Lite's default
    // counts only the plot), so nothing is drawn past the chart's edge.
    if (spec.width === "container" || spec.autosize === undefined) {
      var autosize = typeof spec.autosize === "object" ? spec.autosize : {};
      spec.autosize = { type: autosize.type || (spec.width === "container" ? "fit-x" : "pad"), contains: "padding", resize: autosize.resize };
    }
    if (available < 640) {
      // Narrow column: legends go under the plot, long category labels are shortened
      // (the full text is in the chart's data table and tooltips).
      var legend = spec.config.legend = spec.config.legend || {};
      legend.orient = "bottom";
      legend.direction = legend.direction || "horizontal";
      legend.columns = legend.columns || Math.max(1, Math.floor(available / 150));
      legend.labelLimit = Math.min(legend.labelLimit || 999, Math.floor(available / 2));
      legend.titleLimit = Math.min(legend.titleLimit || 999, available - 20);
      var axisY = spec.config.axisY = spec.config.axisY || {};
      axisY.labelLimit = Math.min(axisY.labelLimit || 999, Math.floor(available * 0.38));
      axisY.titleLimit = Math.min(axisY.titleLimit || 999, available - 40);
      var axisX = spec.config.axisX = spec.config.axisX || {};
      axisX.titleLimit = Math.min(axisX.titleLimit || 999, available - 40);
      stripLegendOrient(spec, available);
    }
    // Axis labels that would collide are thinned (Vega keeps the first, last and every other).
    ["axisX", "axisY"].forEach(function (key) {
      var axis = spec.config[key] = spec.config[key] || {};
      if (axis.labelOverlap === undefined) { axis.labelOverlap = "greedy"; }
      if (axis.labelSeparation === undefined) { axis.labelSeparation = 4; }
    });
    return spec;
  }

  // Text marks placed beside the plot (annotations, column headers) can run past the SVG's
  // edge: widen the viewBox to the whole drawing, so it scales down into the column.
  function containDrawing(view) {
    var svg = view.querySelector("svg.marks");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) { return; }
    var vb = svg.viewBox.baseVal, bb = svg.getBBox();
    var x0 = Math.min(vb.x, bb.x), x1 = Math.max(vb.x + vb.width, bb.x + bb.width);
    var y0 = Math.min(vb.y, bb.y), y1 = Math.max(vb.y + vb.height, bb.y + bb.height);
    if (x0 >= vb.x - 0.5 && x1 <= vb.x + vb.width + 0.5 && y0 >= vb.y - 0.5 && y1 <= vb.y + vb.height + 0.5) { return; }
    var width = Number(svg.getAttribute("width")) || vb.width;
    x0 -= 2; x1 += 2;
    svg.setAttribute("viewBox", [x0, y0, x1 - x0, y1 - y0].join(" "));
    svg.setAttribute("height", String(Math.round(width * (y1 - y0) / (x1 - x0))));
  }

  // Read while this script runs (document.currentScript is gone afterwards).
  var ownTag = document.currentScript;
  var bundles = ownTag && ownTag.dataset.bundles ? ownTag.dataset.bundles.trim().split(/\s+/) : [];
  var bundleBase = ownTag && ownTag.src ? ownTag.src : document.baseURI;
  // Download the bundles without running them (fetch, low priority): running Vega costs a
  // few hundred milliseconds of a phone's main thread, paid only when a chart comes near.
  // Fetched text, not a prefetch hint: a hint is downloaded twice when the server sends no
  // cache headers.
  var bundleTexts = null;
  function fetchVega() {
    if (!bundleTexts) {
      bundleTexts = bundles.map(function (path) {
        var url = new URL(path, bundleBase).href;
        return fetch(url, { priority: "low" }).then(function (response) {
          if (!response.ok) { throw new Error("could not load " + url + " (HTTP " + response.status + ")"); }
          return response.text();
        }, function () { throw new Error("could not load " + url); });
      });
    }
    return bundleTexts;
  }
  // Run the bundles in order (vega, vega-lite, then vega-embed, whose UMD bundle needs the
  // other two), one task each, so no single task holds the main thread for all three.
  var vegaLoaded = null;
  function loadVega() {
    if (vegaLoaded) { return vegaLoaded; }
    if (window.vegaEmbed) { vegaLoaded = Promise.resolve(); return vegaLoaded; }
    if (!bundles.length) { vegaLoaded = Promise.reject(new Error("the page lists no Vega bundles to load")); return vegaLoaded; }
    vegaLoaded = fetchVega().reduce(function (previous, text) {
      return previous.then(function () { return text; }).then(function (code) {
        return new Promise(function (resolve) {
          setTimeout(function () {
            var tag = document.createElement("script");
            tag.text = code;
            document.head.appendChild(tag); // an inline script runs as it is inserted
            resolve();
          }, 0);
        });
      });
    }, Promise.resolve());
    return vegaLoaded;
  }

  // Resolves once the browser has painted the page (or after a second and a half, for a
  // browser that reports no paint timing, or a tab that is not painting).
  function afterFirstPaint() {
    return new Promise(function (resolve) {
      var settled = false;
      function go() { if (!settled) { settled = true; resolve(); } }
      var types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
      if (types.indexOf("paint") >= 0) {
        var observer = new PerformanceObserver(function () { observer.disconnect(); go(); });
        observer.observe({ type: "paint", buffered: true });
      } else {
        requestAnimationFrame(function () { setTimeout(go, 0); });
      }
      setTimeout(go, 1500);
    });
  }

  var drawn = new WeakMap();
  function draw(figure) {
    if (drawn.has(figure)) { return drawn.get(figure); }
    var view = figure.querySelector(".crmc-vega-view");
    var spec;
    try {
      spec = JSON.parse(figure.querySelector("script.crmc-vega-spec").textContent);
    } catch (err) {
      showError(figure, view, err);
      drawn.set(figure, Promise.resolve());
      return drawn.get(figure);
    }
    figure.dataset.rendered = "drawing";
    var promise = loadVega()
      .then(function () {
        var available = view.clientWidth || figure.clientWidth || 600;
        return vegaEmbed(view, fitToContainer(spec, available), { renderer: "svg", actions: false, logLevel: vega.Warn });
      })
      .then(function (result) {
        figure.crmcView = result.view;
        containDrawing(view);
        var placeholder = view.querySelector(".crmc-chart-loading");
        if (placeholder) { placeholder.remove(); }
        figure.dataset.rendered = "true";
      })
      .catch(function (err) { showError(figure, view, err); });
    drawn.set(figure, promise);
    return promise;
  }

  function chartFigures() { return Array.from(document.querySelectorAll("figure.crmc-vega")); }
  // Every chart, whether or not the page has painted or been scrolled (print, the PDF edition).
  function drawAll() {
    return Promise.all(chartFigures().map(draw)).then(function () { performance.mark("crmc-all-charts-drawn"); });
  }
  window.crmcCharts = { drawAll: drawAll };

  function start() {
    // Marks for benchmarks/bench_site.py: drawing starts, and every chart on screen is drawn.
    performance.mark("crmc-charts-start");
    var figures = chartFigures();
    if (!figures.length) { return; }
    fetchVega().forEach(function (text) { text.catch(function () {}); }); // reported when a chart draws
    var firstScreen = [];
    var margin = window.innerHeight; // draw one screen ahead of the reader
    if (!("IntersectionObserver" in window)) {
      drawAll().then(function () { performance.mark("crmc-charts-drawn"); });
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, { rootMargin: margin + "px 0px" });
    figures.forEach(function (figure) {
      var top = figure.getBoundingClientRect().top;
      if (top < window.innerHeight + margin) { firstScreen.push(draw(figure)); }
      else { observer.observe(figure); }
    });
    Promise.all(firstScreen).then(function () { performance.mark("crmc-charts-drawn"); });
  }
  function startAfterPaint() {
    // Printing before the bundles are in still draws every chart.
    window.addEventListener("beforeprint", drawAll);
    afterFirstPaint().then(start);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAfterPaint);
  } else {
    startAfterPaint();
  }
})();
