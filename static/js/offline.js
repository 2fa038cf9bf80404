// The offline page (cached by the service worker, the same for everyone) shows the phone
// numbers of the family's locations, which the Today page left on this device (js/push.js).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var phones = [];
    try { phones = JSON.parse(window.localStorage.getItem("ouderportaal.urgent") || "[]"); } catch (error) { phones = []; }
    if (!Array.isArray(phones) || !phones.length) return;
    document.querySelectorAll(".offline-call").forEach(function (list) {
      phones.forEach(function (entry) {
        if (!entry || typeof entry.phone !== "string" || typeof entry.link !== "string" || entry.link.indexOf("tel:") !== 0) return;
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.className = "phone";
        link.href = entry.link;
        link.textContent = (entry.name ? entry.name + ": " : "") + entry.phone;
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = !list.children.length;
    });
  });
})();
