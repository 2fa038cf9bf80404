// Uploads the chosen files one at a time, each with its own key, and retries a file whose
// connection broke: the server keeps one copy per key, so a re-send never makes a duplicate.
// Without JavaScript the form posts all files at once and works the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector(".upload-status");

  function line(text, kind) {
    var li = document.createElement("li");
    li.textContent = text;
    if (kind) li.className = kind;
    status.appendChild(li);
    return li;
  }

  function send(file, key, attempt) {
    var data = new FormData();
    form.querySelectorAll("input[type=hidden], input[name=children]:checked, input[name=caption]").forEach(function (el) {
      if (el.name !== "upload_key") data.append(el.name, el.value);
    });
    data.append("upload_key", key);
    data.append("files", file, file.name);
    return fetch(form.action, {method: "POST", body: data, headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .catch(function () {
        if (attempt >= 4) throw new Error("network");
        return new Promise(function (resolve) { setTimeout(resolve, 1500 * (attempt + 1)); })
          .then(function () { return send(file, key, attempt + 1); });
      });
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) return;
    event.preventDefault();
    status.textContent = "";
    var base = form.querySelector("input[name=upload_key]").value;
    var files = Array.prototype.slice.call(input.files);
    var chain = Promise.resolve();
    var failed = 0;
    files.forEach(function (file, index) {
      chain = chain.then(function () {
        var li = line(file.name + " …");
        return send(file, base + "-" + index, 0).then(function (result) {
          var errors = (result.body.errors || []).concat(result.body.detail ? [result.body.detail] : []);
          li.textContent = file.name + ": " + (errors.length ? errors.join(" ") : "✓");
          li.className = errors.length ? "error" : "ok";
          if (errors.length) failed += 1;
        }, function () {
          li.textContent = file.name + ": ✗ " + (form.dataset.networkError || "");
          li.className = "error";
          failed += 1;
        });
      });
    });
    // Reload only when everything arrived; otherwise the page keeps its keys, so sending the
    // same files again cannot make duplicates.
    chain.then(function () { if (!failed) window.location.reload(); });
  });
})();
