// The service report on the technician's phone: saved through the API as it is filled in; without a connection it
// is kept on the phone (localStorage) and sent once the connection returns, each version under its own
// Idempotency-Key so that a resend is counted once. The customer signs on the canvas.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var share = document.getElementById("ci-share");
  if (share) {
    share.addEventListener("change", function () {
      if (!share.checked || !navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (where) {
        document.getElementById("ci-lat").value = where.coords.latitude.toFixed(6);
        document.getElementById("ci-lon").value = where.coords.longitude.toFixed(6);
      });
    });
  }
  if (!form) return;
  var storeKey = "field-report-" + form.dataset.order;
  var status = document.getElementById("report-status");
  var canvas = document.getElementById("signature-pad");
  var pen = canvas.getContext("2d");
  var signed = false, drawing = false, timer = null;
  var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  var labels = JSON.parse((document.getElementById("report-labels") || {}).textContent || "{}");
  if (canvas.dataset.signed) {  // the signature saved before: shown until the customer signs again
    var saved = new Image();
    saved.onload = function () { pen.drawImage(saved, 0, 0, canvas.width, canvas.height); };
    saved.src = canvas.dataset.signed;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }
  pen.lineWidth = 3; pen.lineCap = "round"; pen.strokeStyle = "#111";
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true; var at = point(event); pen.beginPath(); pen.moveTo(at[0], at[1]); canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return; var at = point(event); pen.lineTo(at[0], at[1]); pen.stroke(); signed = true;
  });
  canvas.addEventListener("pointerup", function () { if (drawing) { drawing = false; changed(); } });
  document.getElementById("signature-clear").addEventListener("click", function () {
    pen.clearRect(0, 0, canvas.width, canvas.height); signed = false;
  });

  function collect() {
    var body = {};
    ["fault_cause", "solution", "hours", "people", "days_on_site", "customer_opinion", "signed_by",
     "training_topics"].forEach(function (name) {
      var field = form.elements[name]; if (field) body[name] = field.value;
    });
    var trained = form.elements.trained_people;
    if (trained) body.trained_people = trained.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    body.parts = Array.prototype.map.call(form.querySelectorAll("#r-parts tbody tr"), function (row) {
      return {part: row.querySelector("[name=part]").value.trim(), quantity: row.querySelector("[name=quantity]").value.trim(),
              serial: row.querySelector("[name=part_serial]").value.trim()};
    }).filter(function (line) { return line.part; });
    if (signed) body.signature = canvas.toDataURL("image/png");
    return body;
  }
  function say(text, bad) { status.textContent = text; status.className = bad ? "text-danger mb-0" : "text-secondary mb-0"; }
  function keep() { localStorage.setItem(storeKey, JSON.stringify({body: collect(), key: newKey()})); }
  function send() {
    var kept = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (!kept) return Promise.resolve(true);
    say(form.dataset.saving);
    return fetch(form.dataset.api, {method: "POST", credentials: "same-origin", body: JSON.stringify(kept.body),
      headers: {"Content-Type": "application/json", "X-CSRFToken": headers["X-CSRFToken"], "Idempotency-Key": kept.key}})
      .then(function (response) {
        return response.json().then(function (answer) {
          var current = JSON.parse(localStorage.getItem(storeKey) || "null");
          if (current && current.key === kept.key) localStorage.removeItem(storeKey);
          if (response.ok) { say(form.dataset.saved); return true; }
          var fields = Object.keys(answer.details || {}).map(function (k) {
            var said = answer.details[k];
            var text = typeof said === "object" && !Array.isArray(said)
              ? Object.keys(said).map(function (row) { return [].concat(said[row]).join(" "); }).join(" ")
              : [].concat(said).join(" ");
            return (labels[k] || k) + "：" + text;
          });
          say(form.dataset.refused + " " + answer.message + " " + fields.join(" "), true);
          return false;
        });
      }, function () { say(form.dataset.offline, true); return false; });
  }
  function changed() {
    clearTimeout(timer);
    timer = setTimeout(function () { keep(); send(); }, 1200);
  }
  form.addEventListener("input", changed);
  document.getElementById("report-save").addEventListener("click", function () { clearTimeout(timer); keep(); send(); });
  document.getElementById("r-add-part").addEventListener("click", function () {
    var row = document.getElementById("r-part-row").content.cloneNode(true);
    form.querySelector("#r-parts tbody").appendChild(row);
  });
  form.addEventListener("click", function (event) {
    if (event.target.hasAttribute("data-remove-part")) { event.target.closest("tr").remove(); changed(); }
  });
  var submit = document.getElementById("submit-report-form");
  if (submit) {
    submit.addEventListener("submit", function (event) {
      event.preventDefault(); clearTimeout(timer); keep();
      send().then(function (ok) { if (ok) submit.submit(); });
    });
  }
  window.addEventListener("online", send);
  // A report kept while offline (the page reloaded meanwhile): its fields back on the page, then sent.
  var kept = JSON.parse(localStorage.getItem(storeKey) || "null");
  if (kept) {
    Object.keys(kept.body).forEach(function (name) {
      var field = form.elements[name];
      if (field && typeof kept.body[name] === "string" && name !== "signature") field.value = kept.body[name];
    });
    if (kept.body.signature) {
      var picture = new Image();
      picture.onload = function () { pen.drawImage(picture, 0, 0); signed = true; };
      picture.src = kept.body.signature;
    }
    if (navigator.onLine) send(); else say(form.dataset.offline, true);
  }
})();
