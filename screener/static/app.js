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

  form.addEventListener("change", update);
  update();
})();
