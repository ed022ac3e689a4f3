// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // Move focus to a form's error summary so keyboard and screen reader users land on it.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  // A filter form only narrows the list on the page; Enter must not reload it.
  document.querySelectorAll("form[data-no-submit]").forEach(function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });

  // Filter a list of municipalities as the visitor types, and say how many remain.
  document.querySelectorAll("[data-filter-target]").forEach(function (input) {
    var items = document.querySelectorAll(input.getAttribute("data-filter-target") + " li");
    var status = document.querySelector(input.getAttribute("data-filter-status"));
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      var shown = 0;
      items.forEach(function (li) {
        li.hidden = q !== "" && fold(li.getAttribute("data-name")).indexOf(q) === -1;
        if (!li.hidden) { shown += 1; }
      });
      if (!status) { return; }
      if (q === "") { status.textContent = ""; return; }
      var key = shown === 0 ? "data-template-none" : shown === 1 ? "data-template-one" : "data-template-many";
      status.textContent = status.getAttribute(key).replace("{n}", String(shown));
    });
  });

  // Follow a background job's progress through the REST API.
  document.querySelectorAll("[data-job-url]").forEach(function (box) {
    if (box.getAttribute("data-finished") === "1") { return; }
    var bar = box.querySelector("progress");
    var statusEl = box.querySelector("[data-job-status]");
    var messageEl = box.querySelector("[data-job-message]");
    function poll() {
      fetch(box.getAttribute("data-job-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          if (job.progress_total) { bar.max = job.progress_total; }
          bar.value = job.progress_done;
          statusEl.textContent = job.status_label || job.status;
          messageEl.textContent = job.error || job.message;
          if (["succeeded", "failed", "cancelled"].indexOf(job.status) === -1) { setTimeout(poll, 1500); }
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    poll();
  });
})();
