/* Charts from JSON blocks: <div data-chart="ID"> + <script type="application/json" id="ID">
   {"kind": "line"|"bar", "x": [...], "series": [{"name", "data", "dashed"?, "dotted"?}], "ymax"?, "title"?}.
   Drawn with the vendored ECharts. window.hkCharts[ID] is the chart, window.hkChartOption(spec) its
   option, so a page script can redraw a chart with new data. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var COLOURS = ["#0b5cad", "#c0392b", "#2e8b57", "#b9770e", "#7d3c98"];
  function option(spec) {
    return {
      color: COLOURS,
      animation: false,
      tooltip: { trigger: "axis" },
      title: spec.title ? { text: spec.title, left: 8, top: 4, textStyle: { fontSize: 14, fontWeight: 600 } } : undefined,
      legend: spec.series.length > 1 ? { top: spec.title ? 26 : 4, right: 8 } : undefined,
      grid: { left: 56, right: 16, top: spec.title && spec.series.length > 1 ? 60 : (spec.title || spec.series.length > 1) ? 40 : 16,
        bottom: 40, containLabel: true },
      xAxis: { type: "category", data: spec.x,
        axisLabel: spec.kind === "bar" && spec.x.length <= 12 ? { interval: 0, width: 120, overflow: "break" } : { hideOverlap: true } },
      yAxis: { type: "value", max: spec.ymax, scale: spec.kind === "line" && !spec.ymax },  /* bars start at 0 */
      series: spec.series.map(function (s) {
        var style = s.dashed ? { type: "dashed", width: 1.5 } : s.dotted ? { type: "dotted", width: 1.5 } : undefined;
        return { name: s.name, type: spec.kind, data: s.data, connectNulls: false, symbolSize: style ? 3 : 6,
          barMaxWidth: 36, lineStyle: style };
      })
    };
  }
  window.hkChartOption = option;
  window.hkCharts = {};
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var spec = JSON.parse(document.getElementById(box.dataset.chart).textContent);
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption(option(spec));
    window.hkCharts[box.dataset.chart] = chart;
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
