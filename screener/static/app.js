/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  var form = document.querySelector("form[data-step]");
  if (!form) { return; }
  /* Tell the server follow-ups were shown in place, so it need not re-show the page. */
  var marker = document.createElement("input");
  marker.type = "hidden"; marker.name = "_js"; marker.value = "1";
  form.appendChild(marker);
  var ruled = Array.prototype.slice.call(form.querySelectorAll("[data-rule]"));
  if (!ruled.length) { return; }

  function values(name) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || el.disabled) { return; }
      if ((el.type === "radio" || el.type === "checkbox")) {
        if (el.checked) { out.push(el.value); }
      } else if (el.value && el.value.trim()) {
        out.push(el.value.trim());
      }
    });
    return out;
  }

  var tests = {
    "exists": function (vals, expected) { return (vals.length > 0) === Boolean(expected); },
    "=": function (vals, expected) {
      var want = [].concat(expected);
      return vals.some(function (v) { return want.indexOf(v) !== -1; });
    },
    "!=": function (vals, expected) {
      var want = [].concat(expected);
      return vals.length === 0 || vals.some(function (v) { return want.indexOf(v) === -1; });
    }
  };

  function holds(rule) {
    if (rule.parent) {
      var parent = form.querySelector("[data-field='" + rule.parent + "']");
      if (parent && parent.hidden) { return false; }
    }
    var results = rule.conditions.map(function (c) {
      var vals = values(c.field);
      var test = tests[c.operator];
      if (!test) { return true; }
      if (c.operator !== "exists" && c.operator !== "!=" && !vals.length) { return false; }
      return test(vals, c.answer);
    });
    return rule.behavior === "any" ? results.some(Boolean) : results.every(Boolean);
  }

  function update() {
    ruled.forEach(function (el) {
      var show = holds(JSON.parse(el.getAttribute("data-rule")));
      if (el.hidden === !show) { return; }
      el.hidden = !show;
      Array.prototype.forEach.call(el.querySelectorAll("input, textarea, select"), function (input) {
        input.disabled = !show;
      });
    });
  }

  /* Each answer that can show a follow-up says which one it controls. */
  ruled.forEach(function (el) {
    JSON.parse(el.getAttribute("data-rule")).conditions.forEach(function (c) {
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + c.field + "']"), function (input) {
        var ids = (input.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
        if (ids.indexOf(el.id) === -1) { ids.push(el.id); }
        input.setAttribute("aria-controls", ids.join(" "));
      });
    });
  });

  form.addEventListener("change", update);
  update();
})();

/* Times the server wrote in UTC or Bulgarian time, shown on the reader's own clock. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) { return; }
  var lang = document.documentElement.lang || "en";
  Array.prototype.forEach.call(document.querySelectorAll("time[data-local]"), function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) { return; }
    try {
      el.textContent = new Intl.DateTimeFormat(lang, {
        day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
        timeZoneName: "short"
      }).format(moment);
    } catch (e) { /* keep the server's text */ }
  });
})();

/* Crisis help the moment it is needed: on the page with the self-harm question, choosing an
   answer that needs it ("yes", "not sure") shows the help right below the question, in a live
   region, before the page is sent. Without this script the next page starts with it. */
(function () {
  "use strict";
  var standby = document.getElementById("crisis-standby");
  var form = document.querySelector("form[data-step]");
  if (!standby || !form || !standby.content) { return; }
  var triggers;
  try { triggers = JSON.parse(standby.getAttribute("data-crisis-for") || "[]"); } catch (e) { return; }
  if (!Array.isArray(triggers) || !triggers.length) { return; }
  var first = form.querySelector("[data-field='" + triggers[0].field + "']");
  if (!first) { return; }
  // The live region exists (empty) before it is filled, so that screen readers announce it.
  var region = document.createElement("div");
  region.setAttribute("role", "alert");
  region.className = "crisis-now";
  first.parentNode.insertBefore(region, first.nextSibling);

  function needed() {
    return triggers.some(function (t) {
      return Array.prototype.some.call(form.querySelectorAll("[name='" + t.field + "']"), function (el) {
        return el.checked && !el.disabled && t.codes.indexOf(el.value) !== -1;
      });
    });
  }
  function update() {
    if (region.firstChild || !needed()) { return; }  // once shown, it stays
    region.appendChild(standby.content.cloneNode(true));
  }
  form.addEventListener("change", update);
  update();
})();
