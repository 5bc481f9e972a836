/* Inside a clinic's frame: tell the clinic's page our height, and nothing else.
   The message goes only to the clinic's allowed origins (targetOrigin), never to "*". */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var origins = [];
  try { origins = JSON.parse(document.body.getAttribute("data-parent-origins") || "[]"); } catch (e) { return; }
  function post() {
    // The content's own height: scrollHeight is never less than the frame's current height,
    // so with it the frame could grow but never shrink back on a shorter page.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: "tms-screener:height", height: height }, origin);
    });
  }
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  if (window.ResizeObserver) { new ResizeObserver(post).observe(document.body); }
  post();
})();
