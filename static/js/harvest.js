// Reload a run's report every few seconds while the run is queued or running (the page works without it).
(function () {
  var box = document.querySelector("[data-harvest-refresh]");
  if (!box) return;
  var seconds = parseInt(box.getAttribute("data-harvest-refresh"), 10) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
