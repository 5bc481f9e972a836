/* Inside a clinic's frame: tell the clinic's page our height, and nothing else.
   The message goes only to the clinic's allowed origins (targetOrigin), never to "*". */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var origins = [];
  try { origins = JSON.parse(document.body.getAttribute("data-parent-origins") || "[]"); } catch (e) { return; }
  function post() {
    var height = document.documentElement.scrollHeight;
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: "tms-screener:height", height: height }, origin);
    });
  }
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  if (window.ResizeObserver) { new ResizeObserver(post).observe(document.body); }
  post();
})();
