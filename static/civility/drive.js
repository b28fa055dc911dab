// civility drive progress (templates/campaign/drive_detail.html): the weekly and per-unit charts
// drawn with the vendored ECharts from the JSON in #drive-data (json_script: CSP-safe). Clicking a
// bar opens the problem list filtered to exactly what it counts (each point carries its url).
(function () {
  "use strict";

  var COLOURS = { found: "#175cd3", closed: "#1a7f37", recurring: "#c11574" };
  var FONT = "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Microsoft YaHei', " +
    "'Noto Sans CJK SC', sans-serif";
  var charts = [];

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }
  function go(url) { if (url) { window.location.assign(url); } }

  function draw(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var old = window.echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.setOption(Object.assign({ textStyle: { fontFamily: FONT } }, option));
    chart.on("click", onClick);
    chart.on("finished", function () { el.classList.add("chart-drawn"); });
    charts.push(chart);
  }

  function empty(id, text) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.classList.add("chart-empty");
    el.textContent = text;
  }

  function weeks(data) {
    var labels = data.labels || [];
    if (!labels.length) { return empty("chart-weeks", "行动尚未开始"); }
    draw("chart-weeks", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: narrow() ? 45 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return {
          name: s.name, type: s.key === "recurring" ? "line" : "bar", cursor: "pointer",
          itemStyle: { color: COLOURS[s.key] }, barMaxWidth: 18,
          data: s.data.map(function (p) { return { value: p.value, url: p.url }; })
        };
      })
    }, function (params) { go(params.data && params.data.url); });
  }

  function units(rows) {
    if (!rows.length) { return empty("chart-units", "尚未发现问题"); }
    draw("chart-units", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
        axisLabel: { width: narrow() ? 84 : 160, overflow: "truncate" }
      },
      series: [
        { name: "发现", type: "bar", cursor: "pointer", itemStyle: { color: COLOURS.found },
          barMaxWidth: 14,
          data: rows.map(function (r) { return { value: r.found, url: r.found_url }; }) },
        { name: "已销号", type: "bar", cursor: "pointer", itemStyle: { color: COLOURS.closed },
          barMaxWidth: 14,
          data: rows.map(function (r) { return { value: r.closed, url: r.closed_url }; }) }
      ]
    }, function (params) { go(params.data && params.data.url); });
  }

  function init() {
    var script = document.getElementById("drive-data");
    if (!script || !window.echarts) { return; }
    var data = JSON.parse(script.textContent);
    charts = [];
    weeks(data.weeks || {});
    units(data.units || []);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
