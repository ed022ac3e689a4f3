// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Filter a list of municipalities as the visitor types.
  document.querySelectorAll("[data-filter-target]").forEach(function (input) {
    var list = document.querySelectorAll(input.getAttribute("data-filter-target") + " li");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
      list.forEach(function (li) {
        var name = (li.getAttribute("data-name") || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
        li.hidden = q !== "" && name.indexOf(q) === -1;
      });
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
