/* For a clinic's own page: resize the TMS Screener frame to its content.
   Only messages from the screener's own origin are read, and they carry only a height. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin) { return; }
    var data = event.data;
    if (!data || data.type !== "tms-screener:height" || typeof data.height !== "number") { return; }
    var frames = document.querySelectorAll("iframe[data-tms-screener]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(300, Math.min(Math.ceil(data.height), 20000)) + "px";
      }
    }
  });
})();
