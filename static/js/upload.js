// The upload form of a group's photos page, on a phone or the group's tablet.
//
// After choosing files (from the gallery or the camera; choosing again adds to the batch) each
// file gets a card: a preview (the photo itself through an object URL, an icon for a video), its
// own children to tick (copied from the form's shared list, so children without photo consent
// stay visible, marked and not tickable), its own caption, a button to leave it out and one to
// give every file the same children. Sending uploads the files one at a time, each with its own
// key, and retries a file whose connection broke: the server keeps one copy per key, so a re-send
// never makes a duplicate. A file that arrived is not sent again.
//
// Without JavaScript the form posts all files at once with the one shared set of children.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  var template = document.getElementById("upload-card");
  if (!form || !template || !window.fetch || !window.FormData || !("content" in template)) return;
  var input = form.querySelector("input[type=file]");
  var status = form.querySelector(".upload-status");
  var batchList = form.querySelector(".upload-batch");
  var shared = form.querySelector(".shared-tags");
  var choices = Array.prototype.slice.call(shared.querySelectorAll("label.tag-child"));
  var base = form.querySelector("input[name=upload_key]").value;
  var batch = []; // {file, key, card, url, done}
  var counter = 0;
  var sending = false;

  // The shared children and caption are for the form without JavaScript; here each file has its own.
  shared.hidden = true;
  shared.querySelectorAll("input").forEach(function (el) { el.disabled = true; });
  input.required = false;

  function line(text, kind) {
    var li = document.createElement("li");
    li.textContent = text;
    if (kind) li.className = kind;
    status.appendChild(li);
    return li;
  }

  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " kB";
  }

  function childBoxes(entry) {
    return Array.prototype.slice.call(entry.card.querySelectorAll("fieldset input[type=checkbox]"));
  }

  function refreshSameForAll() {
    var open = batch.filter(function (entry) { return !entry.done; }).length;
    batch.forEach(function (entry) { entry.card.querySelector(".same-for-all").hidden = open < 2 || entry.done; });
    batchList.hidden = batch.length === 0;
  }

  function addCard(file) {
    counter += 1;
    var n = counter;
    var card = template.content.firstElementChild.cloneNode(true);
    var entry = {file: file, key: base + "-" + n, card: card, url: null, done: false};
    card.querySelectorAll(".upload-name").forEach(function (el) {
      el.textContent = el.classList.contains("sr-only") ? " " + file.name : file.name + " (" + size(file.size) + ")";
    });
    var preview = card.querySelector(".upload-preview");
    if (/^image\//.test(file.type) && window.URL && URL.createObjectURL) {
      var img = document.createElement("img");
      entry.url = URL.createObjectURL(file);
      img.alt = file.name;
      img.width = 88;
      img.height = 88;
      img.addEventListener("load", function () { preview.replaceChildren(img); });
      img.src = entry.url; // a format the browser cannot show (HEIC on most) keeps the icon
      preview.classList.add("photo");
    }
    var fieldset = card.querySelector("fieldset");
    choices.forEach(function (label) {
      var copy = label.cloneNode(true);
      var box = copy.querySelector("input");
      box.name = "file-" + n + "-children";
      box.disabled = label.classList.contains("disabled");
      var note = copy.querySelector(".no-consent");
      if (note) {
        note.id = "file-" + n + "-" + note.id;
        box.setAttribute("aria-describedby", note.id);
      }
      fieldset.appendChild(copy);
    });
    var caption = card.querySelector(".card-caption");
    caption.id = "file-" + n + "-caption";
    card.querySelector(".field label").htmlFor = caption.id;
    card.querySelector(".remove-file").addEventListener("click", function () {
      if (sending) return;
      batch = batch.filter(function (other) { return other !== entry; });
      if (entry.url) URL.revokeObjectURL(entry.url);
      card.remove();
      refreshSameForAll();
      input.focus();
    });
    card.querySelector(".same-for-all").addEventListener("click", function () {
      var chosen = childBoxes(entry).filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
      batch.forEach(function (other) {
        if (other.done) return;
        childBoxes(other).forEach(function (box) { if (!box.disabled) box.checked = chosen.indexOf(box.value) !== -1; });
      });
    });
    batchList.appendChild(card);
    batch.push(entry);
  }

  function takeChosen() {
    Array.prototype.forEach.call(input.files, addCard);
    input.value = ""; // choosing again (another photo, or the same after a mistake) adds to the batch
    refreshSameForAll();
  }
  // The button in the page's language instead of the browser's own ("Choose Files"); the input
  // stays in the page, focusable, for the keyboard and screen readers.
  var fileButton = form.querySelector(".file-button");
  if (fileButton) {
    input.classList.add("visually-hidden-file");
    fileButton.hidden = false;
  }
  input.addEventListener("change", takeChosen);
  if (input.files.length) takeChosen(); // chosen while the page was still loading

  function send(entry, attempt) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    data.append("upload_key", entry.key);
    childBoxes(entry).forEach(function (box) { if (box.checked && !box.disabled) data.append("children", box.value); });
    data.append("caption", entry.card.querySelector(".card-caption").value);
    data.append("files", entry.file, entry.file.name);
    return fetch(form.action, {method: "POST", body: data, headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .catch(function () {
        if (attempt >= 4) throw new Error("network");
        return new Promise(function (resolve) { setTimeout(resolve, 1500 * (attempt + 1)); })
          .then(function () { return send(entry, attempt + 1); });
      });
  }

  function finish(entry) {
    entry.done = true;
    entry.card.classList.add("done");
    entry.card.querySelectorAll("input, .remove-file").forEach(function (el) { el.disabled = true; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) return;
    var todo = batch.filter(function (entry) { return !entry.done; });
    status.textContent = "";
    if (!todo.length && batch.length) { // the rest arrived before; what failed was left out
      window.location.reload();
      return;
    }
    if (!todo.length) {
      line(form.dataset.empty || "", "error");
      input.focus();
      return;
    }
    sending = true;
    var chain = Promise.resolve();
    var failed = 0;
    todo.forEach(function (entry) {
      chain = chain.then(function () {
        var state = entry.card.querySelector(".upload-state");
        state.className = "upload-state";
        state.textContent = form.dataset.sending || "…";
        var li = line(entry.file.name + " …");
        return send(entry, 0).then(function (result) {
          var errors = (result.body.errors || []).concat(result.body.detail ? [result.body.detail] : []);
          var text = errors.length ? errors.join(" ") : "✓ " + (form.dataset.sent || "");
          li.textContent = entry.file.name + ": " + text;
          li.className = errors.length ? "error" : "ok";
          state.textContent = text;
          state.className = "upload-state " + (errors.length ? "error" : "ok");
          if (errors.length) failed += 1;
          else finish(entry);
        }, function () {
          var text = "✗ " + (form.dataset.networkError || "");
          li.textContent = entry.file.name + ": " + text;
          li.className = "error";
          state.textContent = text;
          state.className = "upload-state error";
          failed += 1;
        });
      });
    });
    // Reload only when everything arrived; otherwise the page keeps its cards and keys, so
    // sending again sends only what did not arrive, and cannot make duplicates.
    chain.then(function () {
      sending = false;
      refreshSameForAll();
      if (!failed) window.location.reload();
    });
  });
})();
