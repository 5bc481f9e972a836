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
