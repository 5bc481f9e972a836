/* The summary download on the results page: send the browser's time zone with the form, so the
   PDF's dates are the patient's local time. Progressive enhancement: without this file the
   server uses the clinic's or the patient's country, else UTC (and says so). */
(function () {
  "use strict";
  var fields = document.querySelectorAll("input[data-timezone]");
  if (!fields.length || !window.Intl || !Intl.DateTimeFormat) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  Array.prototype.forEach.call(fields, function (field) { field.value = zone; });
})();
