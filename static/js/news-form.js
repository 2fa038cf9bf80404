// The news form: the date and time fields show only when "at a set date and time" is chosen.
// Without JavaScript they are always there and ignored for "now".
(function () {
  "use strict";
  var later = document.querySelector(".when-later");
  if (!later) return;
  var radios = document.querySelectorAll("input[name=when]");
  function update() {
    var checked = document.querySelector("input[name=when]:checked");
    later.hidden = !checked || checked.value !== "later";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
