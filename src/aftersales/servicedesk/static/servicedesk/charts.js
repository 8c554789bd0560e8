// The service desk's charts (ECharts, vendored: no internet needed). Each reads its data from a json_script
// element the page rendered: the average scores per month (satisfaction page) and the complaint Pareto
// (ledger: bars by count, most frequent first, with the cumulative percent as a line on a second axis).
(() => {
  "use strict";

  const read = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };

  const draw = (node, option) => {
    const chart = window.echarts.init(node);
    chart.setOption(option);
    node.dataset.rendered = "true";
    window.addEventListener("resize", () => chart.resize());
    return chart;
  };

  window.addEventListener("load", () => {
    if (!window.echarts) return;

    const months = document.getElementById("satisfaction-chart");
    const scores = read("satisfaction-data");
    if (months && scores) {
      draw(months, {
        tooltip: { trigger: "axis" },
        legend: { data: scores.series.map((s) => s.name).concat([scores.count_label]) },
        grid: { left: 40, right: 48, bottom: 40 },
        xAxis: { type: "category", data: scores.months },
        yAxis: [
          { type: "value", min: 0, max: 5 },
          { type: "value", minInterval: 1, splitLine: { show: false } },
        ],
        series: [
          { name: scores.count_label, type: "bar", yAxisIndex: 1, data: scores.counts, itemStyle: { color: "#c9d7ea" } },
          ...scores.series.map((s) => ({ name: s.name, type: "line", data: s.data, connectNulls: true })),
        ],
      });
    }

    const pareto = document.getElementById("pareto-chart");
    const frequency = read("pareto-data");
    if (pareto && frequency) {
      draw(pareto, {
        tooltip: { trigger: "axis" },
        legend: { data: [frequency.count_label, frequency.cumulative_label] },
        grid: { left: 40, right: 48, bottom: 70 },
        xAxis: { type: "category", data: frequency.keys, axisLabel: { rotate: 30, interval: 0 } },
        yAxis: [
          { type: "value", minInterval: 1 },
          { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
        ],
        series: [
          { name: frequency.count_label, type: "bar", data: frequency.counts, itemStyle: { color: "#0b5cad" } },
          { name: frequency.cumulative_label, type: "line", yAxisIndex: 1, data: frequency.cumulative,
            itemStyle: { color: "#b3261e" }, label: { show: true, formatter: "{c}%" } },
        ],
      });
    }
  });
})();
