/* Results: focus follows the #results fragment a search lands on.
   "Use my location": shown only where JavaScript and geolocation exist; the text search never
   depends on it. The position fills the place box as "lat, lon" and the form is sent. */
(function () {
  "use strict";

  // After a search the address ends in #results: the browser has scrolled there; moving focus
  // too means the next Tab goes on from the results, and a screen reader starts reading there.
  var results = document.getElementById("results");
  if (results && window.location.hash === "#results") { results.focus(); }

  var button = document.getElementById("use-location");
  var input = document.getElementById("q");
  var status = document.getElementById("location-status");
  if (!button || !input || !status || !("geolocation" in navigator)) { return; }
  var form = button.form;

  function say(key) { status.textContent = button.getAttribute("data-" + key); }

  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    say("finding");
    navigator.geolocation.getCurrentPosition(function (position) {
      input.value = position.coords.latitude.toFixed(4) + ", " + position.coords.longitude.toFixed(4);
      var chosen = form.querySelector("input[name=place]");
      if (chosen) { chosen.value = ""; }
      say("found");
      form.submit();
    }, function () {
      button.disabled = false;
      say("failed");
      input.focus();
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
}());
