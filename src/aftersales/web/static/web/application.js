// The application form: lines added and removed on the page, a model's name filled in when it is chosen,
// the channel preset from the customer chosen. The form still posts line-N-field names the server reads.
(() => {
  const form = document.querySelector("form.application");
  if (!form) return;
  const list = form.querySelector("#line-list");
  const template = form.querySelector("#line-template");
  const max = Number(form.dataset.maxLines || 50);

  function renumber() {
    list.querySelectorAll("[data-line]").forEach((line, position) => {
      const label = line.querySelector("strong");
      if (label) label.textContent = label.textContent.replace(/\d+/, String(position + 1));
    });
  }

  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-add-line]")) {
      const used = [...list.querySelectorAll("[data-line]")].map((line) => Number(line.dataset.line));
      if (used.length >= max) return;
      let index = 0;
      while (used.includes(index)) index += 1;
      const html = template.innerHTML.replaceAll("__i__", String(index)).replaceAll("__n__", String(used.length + 1));
      list.insertAdjacentHTML("beforeend", html);
      const line = list.lastElementChild;
      if (window.htmx) window.htmx.process(line);
      line.querySelector("select")?.focus();
      renumber();
      return;
    }
    const remove = event.target.closest("[data-remove-line]");
    if (remove) {
      const line = remove.closest("[data-line]");
      if (list.querySelectorAll("[data-line]").length > 1) line.remove();
      else line.querySelectorAll("input, textarea").forEach((field) => { field.value = ""; });
      renumber();
    }
  });

  form.addEventListener("change", (event) => {
    const model = event.target.closest("select[data-fills]");
    if (model) {
      const name = document.getElementById(model.dataset.fills);
      const chosen = model.selectedOptions[0];
      if (name && chosen && (!name.value || name.dataset.filled === "yes")) {
        name.value = chosen.dataset.name || "";
        name.dataset.filled = "yes";
      }
      return;
    }
    if (event.target.id === "id_customer") {
      const preset = event.target.selectedOptions[0]?.dataset.channel;
      const channel = document.getElementById("id_channel");
      if (preset && channel) channel.value = preset;
    }
  });
  form.addEventListener("input", (event) => {
    if (event.target.name && event.target.name.endsWith("-item_name")) delete event.target.dataset.filled;
  });
})();
