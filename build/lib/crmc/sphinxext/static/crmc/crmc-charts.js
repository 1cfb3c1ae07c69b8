/* Draw every chart container on the page with the locally served vega-embed.
 * A spec Vega cannot draw leaves a visible error in the page and a console error,
 * so the browser tests fail on it instead of showing an empty box. */
(function () {
  "use strict";
  function showError(figure, view, err) {
    var message = document.createElement("p");
    message.className = "crmc-chart-error";
    message.setAttribute("role", "alert");
    message.textContent = "This chart could not be drawn: " + (err && err.message ? err.message : err);
    view.replaceChildren(message);
    figure.dataset.rendered = "error";
    console.error("crmc: chart " + figure.id + " failed:", err);
  }
  function draw(figure) {
    var view = figure.querySelector(".crmc-vega-view");
    var spec;
    try {
      spec = JSON.parse(figure.querySelector("script.crmc-vega-spec").textContent);
    } catch (err) {
      showError(figure, view, err);
      return;
    }
    return vegaEmbed(view, spec, { renderer: "svg", actions: false, logLevel: vega.Warn })
      .then(function (result) {
        figure.crmcView = result.view;
        figure.dataset.rendered = "true";
      })
      .catch(function (err) { showError(figure, view, err); });
  }
  function drawAll() {
    // Marks for benchmarks/bench_site.py: when drawing starts and when every chart is drawn.
    performance.mark("crmc-charts-start");
    var figures = Array.from(document.querySelectorAll("figure.crmc-vega"));
    Promise.all(figures.map(draw)).then(function () { performance.mark("crmc-charts-drawn"); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
