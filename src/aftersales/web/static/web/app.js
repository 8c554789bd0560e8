// Small helpers on top of htmx: "select all" boxes, and the scanner field keeping the focus.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  const form = all.closest("form") || document;
  form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`).forEach((box) => { box.checked = all.checked; });
});
document.addEventListener("htmx:afterSwap", () => {
  const scan = document.getElementById("scan");
  if (scan) scan.focus();
});

// The manager's overview chart (ECharts, vendored): stacked bars of overdue and on-time steps per department.
window.addEventListener("load", () => {
  const node = document.getElementById("overview-chart");
  const data = document.getElementById("overview-data");
  if (!node || !data || !window.echarts) return;
  const overview = JSON.parse(data.textContent);
  const chart = window.echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "axis" }, legend: { data: overview.legend },
    grid: { left: 40, right: 16, bottom: 60 },
    xAxis: { type: "category", data: overview.labels, axisLabel: { rotate: 30 } }, yAxis: { type: "value" },
    series: [
      { name: overview.legend[0], type: "bar", stack: "steps", data: overview.overdue, itemStyle: { color: "#b3261e" } },
      { name: overview.legend[1], type: "bar", stack: "steps", data: overview.on_time, itemStyle: { color: "#0b5cad" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
});
