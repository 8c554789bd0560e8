// Small helpers on top of htmx and Bootstrap: toasts, confirmations, "select all" boxes, the scanner field
// keeping the focus, photos opened large, tabs kept in the address, a job's progress, the manager's chart.
(() => {
  const ready = (fn) => (document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", fn) : fn());

  // Toasts: every .toast[data-autoshow] put in the page (on load, or out of band by an htmx answer) is shown once.
  function showToasts() {
    if (!window.bootstrap) return;
    document.querySelectorAll(".toast[data-autoshow]").forEach((node) => {
      node.removeAttribute("data-autoshow");
      node.addEventListener("hidden.bs.toast", () => node.remove());
      window.bootstrap.Toast.getOrCreateInstance(node, { delay: 6000 }).show();
    });
  }
  ready(showToasts);
  document.addEventListener("htmx:afterSettle", showToasts);
  document.addEventListener("htmx:oobAfterSwap", showToasts);

  // Confirmation before what cannot be undone: a form with data-confirm asks in the one dialog first.
  let pending = null;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed === "yes") { delete form.dataset.confirmed; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    const modal = document.getElementById("confirm-modal");
    if (!modal || !window.bootstrap) return;
    pending = { form, submitter: event.submitter || null };
    document.getElementById("confirm-text").textContent = form.dataset.confirm;
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }, true);
  ready(() => {
    const ok = document.getElementById("confirm-ok");
    if (!ok) return;
    ok.addEventListener("click", () => {
      if (!pending) return;
      const { form, submitter } = pending;
      pending = null;
      window.bootstrap.Modal.getInstance(document.getElementById("confirm-modal")).hide();
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    });
  });

  // "Select all" boxes, and rows marked while ticked.
  document.addEventListener("change", (event) => {
    const all = event.target.closest("[data-select-all]");
    if (all) {
      const scope = all.closest("form") || document;
      scope.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`).forEach((box) => {
        box.checked = all.checked;
        box.closest("tr")?.classList.toggle("selected", box.checked);
      });
      return;
    }
    if (event.target.matches("tr input[type=checkbox][name=unit_ids]")) {
      event.target.closest("tr").classList.toggle("selected", event.target.checked);
    }
  });

  // Enter in a field that looks something up (the desk's serial, typed or scanned) looks it up: it does not
  // submit the form around it (half filled, or as a GET that would put what was typed in the address).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("[data-enter-looks-up]")) {
      event.preventDefault();
      event.target.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  document.addEventListener("htmx:afterSwap", () => {
    const scan = document.getElementById("scan");
    if (scan) scan.focus();
  });

  // A list showing the filters the user kept from last time puts them in the address, as if typed there.
  ready(() => {
    const kept = document.querySelector("[data-replace-url]");
    if (kept && !location.search) history.replaceState(null, "", kept.dataset.replaceUrl + location.hash);
  });

  // A photo thumbnail opens large in the one photo dialog.
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-photo]");
    if (!opener || !window.bootstrap) return;
    const modal = document.getElementById("photo-modal");
    if (!modal) return;
    event.preventDefault();
    modal.querySelector("img").src = opener.dataset.photo;
    modal.querySelector("img").alt = opener.dataset.caption || "";
    modal.querySelector(".modal-title").textContent = opener.dataset.caption || "";
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  });

  // Tabs: the open tab is in the address (#units), so a reload or a shared link opens it again.
  ready(() => {
    if (!window.bootstrap) return;
    const open = () => {
      const tab = location.hash && document.querySelector(`[data-bs-toggle="tab"][data-bs-target="${location.hash}"]`);
      if (tab) window.bootstrap.Tab.getOrCreateInstance(tab).show();
    };
    open();
    document.addEventListener("shown.bs.tab", (event) => {
      const target = event.target.dataset.bsTarget;
      if (target) history.replaceState(null, "", target);
    });
  });
  document.addEventListener("htmx:afterSettle", () => {
    const tab = location.hash && document.querySelector(`[data-bs-toggle="tab"][data-bs-target="${location.hash}"]`);
    if (tab && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(tab).show();
  });

  // "Apply to the selected rows": the values given for the selection fill the inline fields of the ticked rows.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-apply-selected]");
    if (!button) return;
    const form = button.closest("form");
    const rows = [...form.querySelectorAll("tbody tr")].filter((row) => row.querySelector("input[name=unit_ids]:checked"));
    form.querySelectorAll("[data-apply]").forEach((source) => {
      if (!source.value) return;
      rows.forEach((row) => {
        const target = row.querySelector(`[data-field="${source.dataset.apply}"]`);
        if (target) target.value = source.value;
      });
    });
  });

  // Enter moves to the next field of a grid row (data-grid), as a spreadsheet does; Shift+Enter goes back.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    const field = event.target.closest("[data-grid] select, [data-grid] input:not([type=checkbox])");
    if (!field) return;
    event.preventDefault();
    const fields = [...field.closest("[data-grid]").querySelectorAll("select, input:not([type=checkbox]):not([type=hidden])")]
      .filter((node) => !node.disabled && node.offsetParent !== null);
    const next = fields[fields.indexOf(field) + (event.shiftKey ? -1 : 1)];
    if (next) next.focus();
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
})();
