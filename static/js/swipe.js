// Swipe left or right on a photo to go to the earlier or newer one (the links stay for keyboards);
// pinching zooms the photo (the browser's own zoom), and a zoomed photo is not swiped away.
(function () {
  "use strict";
  var viewer = document.querySelector(".viewer");
  if (!viewer) return;
  var startX = null, startY = null;
  function zoomed() {
    return window.visualViewport && window.visualViewport.scale > 1.05;
  }
  viewer.addEventListener("touchstart", function (event) {
    // Two fingers pinch to zoom; a zoomed photo pans: neither turns the page.
    if (event.touches.length > 1 || zoomed()) { startX = null; return; }
    startX = event.touches[0].clientX;
    startY = event.touches[0].clientY;
  }, {passive: true});
  viewer.addEventListener("touchend", function (event) {
    if (startX === null || event.touches.length > 0 || zoomed()) { startX = null; return; }
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
