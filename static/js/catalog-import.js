// Catalog import page: follow the job through the REST API, then show its report.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-job-url]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var statusEl = box.querySelector("[data-job-status]");
  var messageEl = box.querySelector("[data-job-message]");
  function poll() {
    fetch(box.getAttribute("data-import-job-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.progress_total) { bar.max = job.progress_total; }
        bar.value = job.progress_done;
        statusEl.textContent = job.status_label || job.status;
        messageEl.textContent = job.error || job.message;
        if (["succeeded", "failed", "cancelled"].indexOf(job.status) === -1) {
          setTimeout(poll, 1500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
