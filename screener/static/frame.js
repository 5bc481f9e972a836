/* Inside a clinic's frame: tell the clinic's page our height, and that a new page has loaded
   (with where its crisis help or first heading starts), and nothing else.
   The message goes only to the clinic's allowed origins (targetOrigin), never to "*".
   Whatever the page's data holds, this script never throws: a value that is not one exact
   origin is skipped. */
(function () {
  "use strict";
  if (window.parent === window) { return; }

  // autofocus is ignored in a cross-origin frame, so the error summary is focused here.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    try { summary.focus({ preventScroll: true }); } catch (e) { /* nothing to do */ }
  }

  // The page's start: crisis help when it is shown, else the first heading.
  var start = document.querySelector("main .crisis") || document.querySelector("main h1") ||
    document.querySelector("main");
  // The clinic's entry page is where the patient begins: it never moves the clinic's page.
  var moved = /\/c\/[^\/]+\/f\//.test(window.location.pathname);

  var ORIGIN = /^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/;
  var origins = [];
  try {
    var listed = JSON.parse(document.body.getAttribute("data-parent-origins") || "[]");
    if (Array.isArray(listed)) {
      origins = listed.filter(function (o) { return typeof o === "string" && ORIGIN.test(o); });
    }
  } catch (e) { origins = []; }

  function send(message) {
    origins.forEach(function (origin) {
      try { window.parent.postMessage(message, origin); } catch (e) { /* a bad origin: skip */ }
    });
  }

  function post() {
    // The content's own height: scrollHeight is never less than the frame's current height,
    // so with it the frame could grow but never shrink back on a shorter page.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    send({ type: "tms-screener:height", height: height });
  }

  /* Without embed.js on the clinic's page nobody answers the message: if the page's start is
     still out of the patient's sight a moment later, bring it into view from here. */
  function reveal() {
    if (!start || !window.IntersectionObserver) { return; }
    var seen = new IntersectionObserver(function (entries) {
      seen.disconnect();
      var entry = entries[0];
      if (entry && entry.intersectionRatio < 1) {
        try { start.scrollIntoView({ block: "start" }); } catch (e) { /* nothing to do */ }
      }
    }, { threshold: [0, 1] });
    seen.observe(start.querySelector("h1, h2") || start);
  }

  if (origins.length) {
    window.addEventListener("load", post);
    window.addEventListener("resize", post);
    if (window.ResizeObserver) { new ResizeObserver(post).observe(document.body); }
    post();
  }
  if (moved) {
    var offset = start ? Math.max(0, Math.round(start.getBoundingClientRect().top)) : 0;
    send({ type: "tms-screener:page", top: offset });
    window.addEventListener("load", function () { window.setTimeout(reveal, 300); });
  }
})();
