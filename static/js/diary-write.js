// The diary's write page on a phone: a "nu" button beside every time field (a nap's start and
// end, a bottle, a nappy) fills in the time of now; the fields stay for other times.
(function () {
  "use strict";
  var form = document.querySelector(".diary-write");
  if (!form) return;
  form.querySelectorAll("input[type=time]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "now";
    button.textContent = form.dataset.nowLabel || "now";
    button.setAttribute("aria-label", (form.dataset.nowHint || "") + ": " + (input.closest("label") || {textContent: ""}).textContent.trim());
    button.addEventListener("click", function () {
      var now = new Date();
      input.value = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
      input.dispatchEvent(new Event("change", {bubbles: true}));
    });
    input.insertAdjacentElement("afterend", button);
  });
})();
