// Swipe left or right on a photo to go to the older or newer one (the links stay for keyboards).
(function () {
  "use strict";
  var viewer = document.querySelector(".viewer");
  if (!viewer) return;
  var startX = null, startY = null;
  viewer.addEventListener("touchstart", function (event) {
    startX = event.touches[0].clientX;
    startY = event.touches[0].clientY;
  }, {passive: true});
  viewer.addEventListener("touchend", function (event) {
    if (startX === null) return;
    var dx = event.changedTouches[0].clientX - startX;
    var dy = event.changedTouches[0].clientY - startY;
    startX = null;
    if (Math.abs(dx) < 60 || Math.abs(dx) < Math.abs(dy) * 1.5) return;
    var link = viewer.querySelector(dx < 0 ? "a[rel=next]" : "a[rel=prev]");
    if (link) window.location.href = link.href;
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select")) return;
    var link = viewer.querySelector(event.key === "ArrowLeft" ? "a[rel=prev]" : event.key === "ArrowRight" ? "a[rel=next]" : null);
    if (link) window.location.href = link.href;
  });
})();
