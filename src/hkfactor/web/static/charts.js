/* Charts from JSON blocks: <div data-chart="ID"> + <script type="application/json" id="ID">
   {"kind": "line"|"bar", "x": [...], "series": [{"name", "data"}], "ymax"?}. Drawn with the vendored ECharts. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var COLOURS = ["#0b5cad", "#c0392b", "#2e8b57", "#b9770e", "#7d3c98"];
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var spec = JSON.parse(document.getElementById(box.dataset.chart).textContent);
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      color: COLOURS,
      animation: false,
      tooltip: { trigger: "axis" },
      title: spec.title ? { text: spec.title, left: 8, top: 4, textStyle: { fontSize: 14, fontWeight: 600 } } : undefined,
      legend: spec.series.length > 1 ? { top: 4, right: 8 } : undefined,
      grid: { left: 56, right: 16, top: (spec.title || spec.series.length > 1) ? 40 : 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: spec.x,
        axisLabel: spec.kind === "bar" && spec.x.length <= 12 ? { interval: 0, width: 120, overflow: "break" } : { hideOverlap: true } },
      yAxis: { type: "value", max: spec.ymax, scale: spec.kind === "line" && !spec.ymax },  /* bars start at 0 */
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind, data: s.data, connectNulls: false, symbolSize: 6,
          barMaxWidth: 36 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
