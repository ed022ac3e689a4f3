// Dataset form helpers: suggest the identifier from the title, and validate as the official types.
(function () {
  "use strict";

  function slugify(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
  }

  var form = document.getElementById("dataset-form");
  if (form) {
    var title = form.querySelector("[name=title]");
    var identifier = form.querySelector("[name=identifier]");
    if (title && identifier && !identifier.disabled) {
      var touched = identifier.value !== "";
      identifier.addEventListener("input", function () { touched = true; });
      title.addEventListener("input", function () { if (!touched) { identifier.value = slugify(title.value); } });
    }

    var timer = null;
    function showErrors(errors) {
      form.querySelectorAll("[data-live-error]").forEach(function (el) { el.remove(); });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      Object.keys(errors).forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]") ||
          form.querySelector("[name=" + name + "_start]");
        if (!input || !input.value && input.type !== "checkbox") { return; }
        var holder = input.closest(".field");
        if (!holder) { return; }
        var p = document.createElement("p");
        p.className = "error";
        p.setAttribute("data-live-error", "");
        p.id = "live-error-" + name;
        p.textContent = errors[name].join(" ");
        holder.appendChild(p);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      });
    }
    function validate() {
      var url = form.getAttribute("data-validate-url");
      if (!url) { return; }
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { showErrors(data.errors || {}); } })
        .catch(function () { /* offline: the server validates on submit anyway */ });
    }
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(validate, 400); });
  }

  // Distribution form: show only the inputs of the chosen kind (upload or link).
  var dist = document.getElementById("distribution-form");
  if (dist) {
    var radios = dist.querySelectorAll("[name=kind]");
    var fileField = dist.querySelector("[name=file]");
    var urlField = dist.querySelector("[name=url]");
    function sync() {
      var kind = (dist.querySelector("[name=kind]:checked") || {}).value || "upload";
      if (fileField) { fileField.closest(".field").hidden = kind !== "upload"; }
      if (urlField) { urlField.closest(".field").hidden = kind !== "url"; }
    }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }
})();
