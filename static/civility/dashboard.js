// civility dashboard: draws the four charts of templates/reports/dashboard.html with the vendored
// ECharts, from the JSON that Django's json_script put in #dashboard-data. Clicking a bar, a
// slice or a line point opens the problem list filtered to it (every item carries its url).
// Loaded only by the dashboard partial; the page's numbers and links work without it.
(function () {
  "use strict";

  var RED = "#b3261e";
  var PALETTE = ["#b3261e", "#175cd3", "#1a7f37", "#b25e00", "#6941c6", "#026aa2", "#c11574",
    "#475467"];
  var STATUS_COLOURS = {
    reported: "#175cd3", assigned: "#b25e00", disputed: "#6941c6", submitted: "#026aa2",
    closed: "#1a7f37"
  };
  var FONT = "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Microsoft YaHei', " +
    "'Noto Sans CJK SC', sans-serif";
  var charts = [];

  function narrow() { return window.matchMedia("(max-width: 640px)").matches; }

  function go(url) { if (url) { window.location.assign(url); } }

  function empty(el, text) {
    el.classList.add("chart-empty");
    el.textContent = text;
  }

  function draw(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var old = window.echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the CSP
    // (style-src 'self') blocks.
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.setOption(Object.assign({ color: PALETTE, textStyle: { fontFamily: FONT } }, option));
    if (onClick) { chart.on("click", onClick); }
    // Marks the chart as drawn once its first animation is over (browser tests wait for it).
    chart.on("finished", function () { el.classList.add("chart-drawn"); });
    charts.push(chart);
    return chart;
  }

  function trend(data) {
    var el = document.getElementById("chart-trend");
    if (!el) { return; }
    var series = data.series || [];
    // Start at the first month that has a score (a new campaign has no history yet).
    var start = (data.labels || []).findIndex(function (_, i) {
      return series.some(function (s) { return s.data[i] !== null; });
    });
    if (start < 0) { return empty(el, "近12个月没有督查数据"); }
    var labels = data.labels.slice(start);
    draw("chart-trend", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v; } },
      legend: { type: narrow() ? "plain" : "scroll", top: 0 },
      grid: { left: 8, right: 16, top: narrow() ? 64 : 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, boundaryGap: false },
      yAxis: { type: "value", scale: true, max: 100 },
      series: series.map(function (s) {
        return { name: s.name, type: "line", data: s.data.slice(start), connectNulls: false,
          symbolSize: 7,
          emphasis: { focus: "series" } };
      })
    }, function (params) {
      var s = series[params.seriesIndex];
      go(s && s.url);
    });
  }

  function bars(id, items, emptyText, colour) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (!items.length) { return empty(el, emptyText); }
    var labelWidth = narrow() ? 84 : 150;
    draw(id, {
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category", inverse: true,
        data: items.map(function (i) { return i.name; }),
        axisLabel: { width: labelWidth, overflow: "truncate" },
        triggerEvent: true
      },
      series: [{
        type: "bar", barMaxWidth: 22, cursor: "pointer",
        itemStyle: { color: colour, borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: "right" },
        data: items.map(function (i) { return { name: i.name, value: i.value, url: i.url }; })
      }]
    }, function (params) {
      // A bar, or its label on the axis.
      if (params.componentType === "yAxis") {
        var hit = items.filter(function (i) { return i.name === params.value; })[0];
        return go(hit && hit.url);
      }
      go(params.data && params.data.url);
    });
  }

  function status(items) {
    var el = document.getElementById("chart-status");
    if (!el) { return; }
    var total = items.reduce(function (sum, i) { return sum + i.value; }, 0);
    if (!total) { return empty(el, "没有未销号的问题"); }
    var counts = {};
    items.forEach(function (i) { counts[i.name] = i.value; });
    draw("chart-status", {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0, type: narrow() ? "plain" : "scroll", formatter: function (name) { return name + " " + counts[name]; } },
      series: [{
        type: "pie", radius: ["42%", "68%"], center: ["50%", narrow() ? "42%" : "45%"], cursor: "pointer",
        avoidLabelOverlap: true,
        label: { show: !narrow(), formatter: "{b}\n{c}" },
        data: items.filter(function (i) { return i.value > 0; }).map(function (i) {
          return { name: i.name, value: i.value, url: i.url,
            itemStyle: { color: STATUS_COLOURS[i.status] || RED } };
        })
      }]
    }, function (params) { go(params.data && params.data.url); });
  }

  function init() {
    var script = document.getElementById("dashboard-data");
    if (!script || !window.echarts) { return; }
    var data = JSON.parse(script.textContent);
    charts = [];
    trend(data.trend || {});
    bars("chart-category", data.categories || [], "本月尚未发现问题", RED);
    status(data.status || []);
    bars("chart-overdue", data.overdue || [], "没有逾期问题", "#b25e00");
    bars("chart-site-types", data.site_types || [], "本月尚无点位测评", "#175cd3");
    bars("chart-indicators", data.indicators || [], "本月尚无不合格测评项", RED);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
