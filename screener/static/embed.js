/* For a clinic's own page: resize the TMS Screener frame to its content, and when the patient
   moves on to a new page inside it, bring that page's start into view (the clinic's page
   would otherwise keep its scroll position, leaving the new page's top, and crisis help,
   out of sight above). Only messages from the screener's own origin are read, and they carry
   only a height or a position within the frame. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src, window.location.href).origin;

  function frameOf(source) {
    var frames = document.querySelectorAll("iframe[data-tms-screener]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) { return frames[i]; }
    }
    return null;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) { return; }
    var data = event.data;
    if (!data || typeof data !== "object") { return; }
    var frame = frameOf(event.source);
    if (!frame) { return; }
    if (data.type === "tms-screener:height" && typeof data.height === "number") {
      frame.style.height = Math.max(300, Math.min(Math.ceil(data.height), 20000)) + "px";
    } else if (data.type === "tms-screener:page" && typeof data.top === "number") {
      var offset = Math.max(0, Math.min(Math.round(data.top), 20000));
      var top = frame.getBoundingClientRect().top + offset;
      if (top < 0 || top > window.innerHeight * 0.5) {
        window.scrollTo(0, Math.max(0, window.pageYOffset + frame.getBoundingClientRect().top));
      }
    }
  });
})();
