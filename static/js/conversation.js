// The conversation: a quick message fills the reply box (the link works without JavaScript
// too: the page comes back with the text typed); the box grows with the text; the newest
// message is in view; the chosen attachments are named. A reply sent without a connection is
// kept on the phone and sent when the connection is back (js/outbox.js); until then it shows
// as a bubble "waiting for a connection".
(function () {
  "use strict";
  var form = document.getElementById("reply");
  if (!form) return;
  var body = form.querySelector("textarea");
  function grow() {
    body.style.height = "auto";
    body.style.height = Math.min(body.scrollHeight, 160) + "px";
  }
  form.querySelectorAll("[data-quick]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      body.value = link.getAttribute("data-quick").replace(/[… ]+$/, "") + " ";
      grow();
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
    });
  });
  body.addEventListener("input", grow);
  var files = form.querySelector("input[type=file]");
  var attached = form.querySelector(".attached");
  if (files && attached) {
    files.addEventListener("change", function () {
      var names = Array.prototype.map.call(files.files, function (f) { return f.name; });
      attached.textContent = names.join(", ");
      attached.hidden = names.length === 0;
    });
  }
  var outbox = window.ouderportaalOutbox;
  var list = document.querySelector(".conversation");
  var path = form.getAttribute("action") || window.location.pathname;
  var keyField = form.querySelector("input[name=key]");

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The replies kept on this phone for this conversation, as bubbles after the sent ones.
  function showPending() {
    if (!list || !outbox) return;
    list.querySelectorAll(".bubble.pending").forEach(function (bubble) { bubble.remove(); });
    outbox.pending(path).forEach(function (item) {
      var li = document.createElement("li");
      li.className = "bubble family mine pending";
      var meta = document.createElement("p");
      meta.className = "meta hint";
      var who = document.createElement("strong");
      who.textContent = form.dataset.you || "";
      meta.appendChild(who);
      meta.appendChild(document.createTextNode(" · "));
      var state = document.createElement("span");
      state.className = item.error ? "badge rejected" : "badge pending";
      state.textContent = item.error ? (form.dataset.notSent || "") : (form.dataset.waiting || "");
      meta.appendChild(state);
      li.appendChild(meta);
      var text = document.createElement("p");
      text.className = "body";
      text.textContent = item.body;
      li.appendChild(text);
      if (item.error) {
        var why = document.createElement("p");
        why.className = "error";
        why.textContent = item.error;
        li.appendChild(why);
        var again = document.createElement("button");
        again.type = "button";
        again.textContent = form.dataset.edit || "";
        again.addEventListener("click", function () {
          body.value = item.body;
          grow();
          outbox.forget(item.key);
          body.focus();
        });
        li.appendChild(again);
      }
      list.appendChild(li);
    });
    var empty = list.querySelector(".empty");
    if (empty) empty.hidden = list.querySelectorAll(".bubble").length > 0;
  }

  // A line above the reply box: an error (role alert) or, for a kept message, a calm status.
  function say(text, calm) {
    form.querySelectorAll(".error, .offline-note").forEach(function (line) { line.remove(); });
    var line = document.createElement("p");
    line.className = calm ? "hint offline-note" : "error";
    line.setAttribute("role", calm ? "status" : "alert");
    line.textContent = text;
    form.insertBefore(line, form.querySelector(".quick-messages, .reply-row"));
  }

  if (outbox && list && window.fetch && window.FormData && window.crypto) {
    showPending();
    outbox.onChange(showPending);
    // Kept messages went out: show the conversation as the portal has it now.
    // (Not while something new is being typed: that would be lost.)
    outbox.onSent(function () { if (!body.value.trim()) window.location.reload(); });
    form.addEventListener("submit", function (event) {
      var text = body.value.trim();
      var withFiles = files && files.files.length > 0;
      if (!text && !withFiles) return;
      event.preventDefault();
      var key = keyField.value;
      var send = form.querySelector("button[type=submit]");
      send.disabled = true;
      fetch(path, {method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "follow"})
        .then(function (response) {
          // Sent: the portal answers with the conversation. Refused: the form is posted once
          // more the ordinary way, and the portal's page says why, with the text still typed.
          if (response.redirected && response.ok) window.location.assign(response.url);
          else form.submit();  // the same key again: the portal shows why, with the text kept
        }, function () {
          send.disabled = false;
          if (withFiles) { say(form.dataset.offlineFiles || ""); return; }
          if (!outbox.keep(path, key, text)) { say(form.dataset.offlineNotKept || ""); return; }
          body.value = "";
          grow();
          keyField.value = newKey();  // the next message is another one
          say(form.dataset.offlineKept || "", true);
          showPending();
          var last = list.querySelector(".bubble.pending:last-child");
          if (last) last.scrollIntoView({block: "end"});
        });
    });
  }

  if (!window.location.hash) {
    var last = document.querySelector(".conversation > li:last-child");
    if (last) last.scrollIntoView({block: "end"});
  }
})();
