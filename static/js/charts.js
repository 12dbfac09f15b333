// The statistics pages' charts, drawn with Apache ECharts (static/vendor/echarts/, see
// static/vendor/README.md). Load echarts.min.js by its own script tag first, then this one.
// It expects a container <div data-chart-src="/same-origin/url.json"> whose JSON (fetched
// once) is {trend: {months, series: [{slug, title, unit, target, values}]},
// breakdowns: [{slug, title, chart: "pie|bar|funnel", rows: [[label, n], ...]}]}, and in it
//   <div class="chart" data-chart="trend" data-series="SLUG"></div>   a line over the months
//   <div class="chart" data-chart="breakdown" data-slug="SLUG"></div> a pie, bar or funnel
// Sizes come from static/css/charts.css. Without echarts, the JSON or the slug, an element keeps
// its children (the table beside it says the same) and gets the class chart-unavailable.
(function () {
  "use strict";
  const PALETTE = ["#1f4e79", "#c0504d", "#4f7f3a", "#d08a00", "#6b4c9a", "#2f8f9d", "#7f7f7f", "#8c564b"];
  const INK = "#1d2939";
  const charts = [];
  const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function formatter(unit) {
    return function (value) {
      if (value === null || value === undefined || value === "-") return "—";
      const number = Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 1 });
      if (unit === "percent") return number + "%";
      if (unit === "days") return number + " 天";
      if (unit === "yuan") return "¥" + number;
      return number;
    };
  }

  // An axis from 0 that shows the target too, in 4 or 5 round steps.
  function axisTo(top, unit) {
    const raw = (top > 0 ? top * 1.05 : 1) / 5;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const interval = [1, 2, 2.5, 5, 10].find(function (m) { return m * power >= raw; }) * power;
    const max = Math.ceil(top * 1.05 / interval) * interval;
    return { interval: interval, max: unit === "percent" && top <= 100 ? Math.min(max, 100) : max };
  }

  function base(title) {
    return {
      color: PALETTE,
      animation: !still,
      aria: { enabled: true },
      textStyle: { color: INK, fontFamily: "inherit" },
      // The card around the chart has the heading; the title stays for screen readers (aria).
      title: { text: title, show: false },
      // Drawn in the chart, not as HTML: ECharts' HTML tooltip needs inline styles (the CSP says no).
      tooltip: { confine: true, renderMode: "richText" },
    };
  }

  function trendOption(months, series, targetLabel) {
    const format = formatter(series.unit);
    const option = base(series.title);
    const target = series.target === undefined ? null : series.target;
    option.tooltip.trigger = "axis";
    option.tooltip.valueFormatter = format;
    option.grid = { left: 4, right: 16, top: 24, bottom: 4, containLabel: true };
    option.xAxis = { type: "category", data: months, axisLabel: { hideOverlap: true } };
    option.yAxis = { type: "value", min: 0, axisLabel: { formatter: format } };
    if (target !== null) {
      const top = Math.max(target, ...series.values.filter(function (v) { return v !== null; }));
      Object.assign(option.yAxis, axisTo(top, series.unit));
    }
    option.series = [{
      type: "line", name: series.title, data: series.values, connectNulls: false,
      showSymbol: true, symbolSize: 6, lineStyle: { width: 2 },
      markLine: target === null ? undefined : {
        silent: true, symbol: "none",
        lineStyle: { type: "dashed", color: PALETTE[1], width: 1.5 },
        label: {
          position: "insideEndTop", color: PALETTE[1], formatter: targetLabel + " " + format(target),
          backgroundColor: "rgba(255,255,255,0.85)", padding: [1, 3],
        },
        data: [{ yAxis: target }],
      },
    }];
    return option;
  }

  function breakdownOption(breakdown, narrow) {
    const option = base(breakdown.title);
    const rows = breakdown.rows.map(function (row) { return { name: row[0], value: row[1] }; });
    option.tooltip.trigger = "item";
    if (breakdown.chart === "bar") {
      option.grid = { left: 4, right: 40, top: 24, bottom: 4, containLabel: true };
      option.xAxis = { type: "value", minInterval: 1 };
      option.yAxis = {
        type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
        axisLabel: { width: narrow ? 96 : 200, overflow: "truncate" },
      };
      option.series = [{ type: "bar", data: rows, barMaxWidth: 28, label: { show: true, position: "right" } }];
    } else if (breakdown.chart === "funnel") {
      option.series = [{
        type: "funnel", data: rows, sort: "none", top: 16, bottom: 8, left: "4%", width: narrow ? "52%" : "60%",
        minSize: "8%", gap: 2, label: { position: "right", formatter: "{b}  {c}", color: INK },
        labelLine: { show: true }, itemStyle: { borderColor: "#fff", borderWidth: 1 },
      }];
    } else {
      option.series = [{
        type: "pie", data: rows, radius: narrow ? "40%" : "62%", center: ["50%", "50%"], percentPrecision: 0,
        avoidLabelOverlap: true, itemStyle: { borderColor: "#fff", borderWidth: 1 },
        label: { formatter: "{b}\n{c}（{d}%）", color: INK, overflow: "break", lineHeight: 16 },
        labelLayout: { hideOverlap: false, moveOverlap: "shiftY" },
      }];
    }
    return option;
  }

  function unavailable(el) { el.classList.add("chart-unavailable"); }

  function draw(el, data, targetLabel) {
    let option = null;
    if (el.dataset.chart === "trend" && data.trend) {
      const series = (data.trend.series || []).find(function (s) { return s.slug === el.dataset.series; });
      if (series) option = trendOption(data.trend.months, series, targetLabel);
    } else if (el.dataset.chart === "breakdown") {
      const breakdown = (data.breakdowns || []).find(function (b) { return b.slug === el.dataset.slug; });
      if (breakdown && breakdown.rows.length) option = breakdownOption(breakdown, el.clientWidth < 560);
    }
    if (!option) return unavailable(el);
    const kept = Array.from(el.childNodes);
    el.replaceChildren();
    el.classList.add("chart");
    try {
      const chart = echarts.init(el, null, { renderer: "svg", locale: "ZH" });
      chart.setOption(option);
      charts.push(chart);
    } catch (error) {
      echarts.dispose(el);
      el.replaceChildren(...kept);
      unavailable(el);
    }
  }

  async function load(container) {
    const elements = container.querySelectorAll("[data-chart]");
    try {
      const url = new URL(container.dataset.chartSrc, window.location.href);
      if (typeof window.echarts === "undefined" || url.origin !== window.location.origin) throw new Error("no chart");
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const data = await response.json();
      elements.forEach(function (el) { draw(el, data, container.dataset.targetLabel || "目标"); });
    } catch (error) {
      elements.forEach(unavailable);
    }
  }

  let timer = null;
  function resizeAll() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(resizeAll, 150); });
  window.addEventListener("beforeprint", resizeAll);

  function start() { document.querySelectorAll("[data-chart-src]").forEach(load); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
