// The group tablet's idle lock in the browser (the server enforces it too: portal/access/tablet.py).
// After data-idle-seconds without a tap, key or scroll, the page submits the lock form and the
// tablet shows its lock screen. While someone is busy on one page (typing a long diary page),
// the server is told at most every 30 seconds (a third of the idle time when that is shorter),
// so that it does not lock them out on submit.
(function () {
  "use strict";
  var script = document.currentScript;
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("tablet-lock-form");
    if (!form || !script) return;
    var idle = parseInt(script.getAttribute("data-idle-seconds"), 10) * 1000;
    var pingUrl = script.getAttribute("data-ping");
    var lockUrl = script.getAttribute("data-lock");
    if (!(idle > 0)) return;
    var pingEvery = Math.min(30000, idle / 3);
    var lastUse = Date.now();
    var lastPing = Date.now();
    var locking = false;

    function lock() {
      if (locking) return;
      locking = true;
      var marker = document.createElement("input");
      marker.type = "hidden";
      marker.name = "idle";
      marker.value = "1";
      form.appendChild(marker);
      form.submit();
    }

    function ping() {
      lastPing = Date.now();
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      var body = new FormData();
      if (token) body.append("csrfmiddlewaretoken", token.value);
      fetch(pingUrl, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
        if (response.status !== 204) window.location.assign(lockUrl); // locked meanwhile (or ended)
      }).catch(function () { /* offline: the next page load tells */ });
    }

    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (kind) {
      window.addEventListener(kind, function () {
        lastUse = Date.now();
        if (lastUse - lastPing >= pingEvery) ping();
      }, { passive: true, capture: true });
    });

    window.setInterval(function () {
      if (Date.now() - lastUse >= idle) lock();
    }, 1000);
  });
})();
