// Resumable chunked uploads for <input type="file" data-chunked-upload> (see
// templates/catalog/includes/upload_widget.html). A progressive enhancement: without this file,
// or in a browser without fetch and Blob.slice, the form posts the file in one piece.
//
// Protocol (REST API /api/v1/uploads): POST declares name and size and returns an id and a
// chunk size; each PUT sends one chunk with "Content-Range: bytes start-end/total"; a 409 says
// where the server expects the next chunk; GET says how many bytes arrived. Chunks go strictly
// in order, so after any failure the client asks the server and continues from there.
(function () {
  "use strict";

  if (!window.fetch || !window.Blob || !Blob.prototype.slice) { return; }

  var MAX_BACKOFF_MS = 30000;
  var MAX_FAILURES = 20; // about eight minutes without a single chunk getting through
  var STORAGE_PREFIX = "abiertos-upload:";

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] !== undefined ? String(values[key]) : "";
    });
  }

  function megabytes(bytes) {
    return (bytes / 1e6).toLocaleString(document.documentElement.lang || "es", { maximumFractionDigits: 1 });
  }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // An error the user should read (the server's message), as opposed to a dropped connection.
  function Refused(message) { this.message = message; }

  function ChunkedUpload(input) {
    this.input = input;
    this.form = input.form;
    this.widget = input.closest("[data-upload-widget]") || input.parentNode;
    this.box = this.widget.querySelector("[data-upload-progress]");
    this.bar = this.box && this.box.querySelector("progress");
    this.status = document.getElementById(input.getAttribute("data-status")) ||
      this.widget.querySelector("[data-upload-status]");
    this.sessionInput = document.getElementById(input.getAttribute("data-session-input"));
    this.fieldName = input.name;
    this.busy = false;
    this.lastAnnounced = -1;
    input.addEventListener("change", this.start.bind(this));
    if (this.form) { this.form.addEventListener("submit", this.onSubmit.bind(this)); }
  }

  ChunkedUpload.prototype.msg = function (key, values) {
    return fill(this.input.getAttribute("data-msg-" + key), values || {});
  };

  ChunkedUpload.prototype.say = function (text) {
    if (this.status) { this.status.textContent = text; }
  };

  ChunkedUpload.prototype.showProgress = function (received, total) {
    var percent = total ? Math.floor((received / total) * 100) : 0;
    if (this.bar) { this.bar.value = percent; }
    // The status is a live region: announce in steps of 10% rather than on every chunk.
    var step = Math.floor(percent / 10);
    if (step !== this.lastAnnounced) {
      this.lastAnnounced = step;
      this.say(this.msg("progress", { percent: percent, sent: megabytes(received), total: megabytes(total) }));
    }
  };

  ChunkedUpload.prototype.request = function (method, url, body, headers) {
    var allHeaders = { Accept: "application/json", "X-CSRFToken": csrfToken(this.form) };
    Object.keys(headers || {}).forEach(function (k) { allHeaders[k] = headers[k]; });
    return fetch(url, { method: method, body: body, headers: allHeaders, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  };

  ChunkedUpload.prototype.storageKey = function (file) {
    return STORAGE_PREFIX + [this.input.getAttribute("data-municipality"), file.name, file.size, file.lastModified].join("|");
  };

  // An upload of the same file started earlier (say, before the page was reloaded) that the server still has.
  ChunkedUpload.prototype.resumable = function (file) {
    var id = null;
    try { id = window.sessionStorage.getItem(this.storageKey(file)); } catch (e) { id = null; }
    if (!id) { return Promise.resolve(null); }
    return this.request("GET", this.baseUrl() + "/" + id).then(function (r) {
      return r.status === 200 && !r.data.complete ? r.data : null;
    }, function () { return null; });
  };

  ChunkedUpload.prototype.baseUrl = function () {
    return this.input.getAttribute("data-upload-url").replace(/\/$/, "");
  };

  ChunkedUpload.prototype.create = function (file) {
    var body = JSON.stringify({ municipality: this.input.getAttribute("data-municipality"), file_name: file.name, size: file.size });
    return this.request("POST", this.baseUrl(), body, { "Content-Type": "application/json" }).then(function (r) {
      if (r.status !== 201) { throw new Refused(r.data.error ? r.data.error.message : String(r.status)); }
      return r.data;
    });
  };

  ChunkedUpload.prototype.offset = function (upload) {
    return this.request("GET", this.baseUrl() + "/" + upload.id).then(function (r) {
      if (r.status !== 200) { throw new Refused(r.data.error ? r.data.error.message : String(r.status)); }
      return r.data.received_bytes;
    });
  };

  // Send one chunk; resolves with the server's count of received bytes.
  ChunkedUpload.prototype.sendChunk = function (upload, file, start, size) {
    var end = Math.min(start + size, file.size) - 1;
    var headers = { "Content-Type": "application/octet-stream", "Content-Range": "bytes " + start + "-" + end + "/" + file.size };
    return this.request("PUT", this.baseUrl() + "/" + upload.id, file.slice(start, end + 1), headers).then(function (r) {
      if (r.status === 200) { return r.data; }
      if (r.status === 409 && r.data.error && r.data.error.expected_offset !== undefined) {
        return { received_bytes: r.data.error.expected_offset, complete: false };
      }
      if (r.status >= 500 || r.status === 0) { throw new Error("server " + r.status); }
      throw new Refused(r.data.error ? r.data.error.message : String(r.status));
    });
  };

  ChunkedUpload.prototype.sendAll = function (upload, file, received) {
    var self = this;
    var size = Math.min(upload.chunk_size, upload.max_chunk_size || upload.chunk_size);
    var failures = 0;
    function next(position) {
      self.showProgress(position, file.size);
      if (position >= file.size) { return Promise.resolve(upload); }
      return self.sendChunk(upload, file, position, size).then(function (state) {
        failures = 0;
        if (state.complete) { self.showProgress(file.size, file.size); return upload; }
        return next(state.received_bytes);
      }, function (error) {
        if (error instanceof Refused) { throw error; }
        // A dropped connection: wait (1 s, 2 s, 4 s… up to 30 s), ask where we are, carry on.
        failures += 1;
        if (failures > MAX_FAILURES) { throw error; }
        var wait = Math.min(1000 * Math.pow(2, failures - 1), MAX_BACKOFF_MS);
        self.say(self.msg("retry", { seconds: Math.round(wait / 1000) }));
        self.lastAnnounced = -1;
        return sleep(wait).then(function () {
          return self.offset(upload).then(next, function (e) {
            if (e instanceof Refused) { throw e; }
            return next(position);
          });
        });
      });
    }
    return next(received);
  };

  ChunkedUpload.prototype.start = function () {
    var self = this;
    var file = this.input.files && this.input.files[0];
    if (!file || this.busy) { return; }
    this.busy = true;
    this.input.name = this.fieldName;
    if (this.sessionInput) { this.sessionInput.value = ""; }
    if (this.box) { this.box.hidden = false; }
    if (this.bar) { this.bar.value = 0; }
    this.lastAnnounced = -1;
    this.say(this.msg("start"));
    this.resumable(file).then(function (existing) {
      if (existing) {
        self.say(self.msg("resumed", { percent: Math.floor((existing.received_bytes / file.size) * 100) }));
        return self.sendAll(existing, file, existing.received_bytes);
      }
      return self.create(file).then(function (upload) {
        try { window.sessionStorage.setItem(self.storageKey(file), upload.id); } catch (e) { /* private mode */ }
        return self.sendAll(upload, file, 0);
      });
    }).then(function (upload) {
      try { window.sessionStorage.removeItem(self.storageKey(file)); } catch (e) { /* private mode */ }
      if (self.sessionInput) { self.sessionInput.value = upload.id; }
      // The file is on the server already: the form must not send it again.
      self.input.removeAttribute("name");
      self.say(self.msg("done", { total: megabytes(file.size) }));
    }).catch(function (error) {
      // Fall back to the plain upload: the file input keeps its name and the form sends the file.
      self.say(self.msg("failed", { error: error && error.message ? error.message : String(error) }));
    }).then(function () { self.busy = false; });
  };

  ChunkedUpload.prototype.onSubmit = function (event) {
    if (!this.busy) { return; }
    event.preventDefault();
    this.say(this.msg("wait"));
    this.input.focus();
  };

  document.querySelectorAll("input[type=file][data-chunked-upload]").forEach(function (input) {
    if (input.getAttribute("data-chunked-ready")) { return; }
    input.setAttribute("data-chunked-ready", "1");
    new ChunkedUpload(input);
  });
})();
