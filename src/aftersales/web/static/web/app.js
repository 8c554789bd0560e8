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
