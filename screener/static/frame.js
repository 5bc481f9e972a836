/* Inside a clinic's frame: tell the clinic's page our height, and nothing else.
   The message goes only to the clinic's allowed origins (targetOrigin), never to "*".
   Whatever the page's data holds, this script never throws: a value that is not one exact
   origin is skipped. */
(function () {
  "use strict";
  if (window.parent === window) { return; }

  // autofocus is ignored in a cross-origin frame, so the error summary is focused here.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    try { summary.focus(); } catch (e) { /* nothing to do */ }
  }

  var ORIGIN = /^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/;
  var origins = [];
  try {
    var listed = JSON.parse(document.body.getAttribute("data-parent-origins") || "[]");
    if (Array.isArray(listed)) {
      origins = listed.filter(function (o) { return typeof o === "string" && ORIGIN.test(o); });
    }
  } catch (e) { origins = []; }
  if (!origins.length) { return; }

  function post() {
    // The content's own height: scrollHeight is never less than the frame's current height,
    // so with it the frame could grow but never shrink back on a shorter page.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    origins.forEach(function (origin) {
      try {
        window.parent.postMessage({ type: "tms-screener:height", height: height }, origin);
      } catch (e) { /* a malformed origin: skip it */ }
    });
  }
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  if (window.ResizeObserver) { new ResizeObserver(post).observe(document.body); }
  post();
})();
