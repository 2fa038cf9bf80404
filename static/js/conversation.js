// The conversation: a quick message fills the reply box (the link works without JavaScript
// too: the page comes back with the text typed); the box grows with the text; the newest
// message is in view; the chosen attachments are named.
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
  if (!window.location.hash) {
    var last = document.querySelector(".conversation > li:last-child");
    if (last) last.scrollIntoView({block: "end"});
  }
})();
