/* show_if in the browser: the same rules as dudao/definitions/showif.py, no round trip.
   Plain JavaScript, no library. Runs under node too (module.exports) so a test can
   check that both evaluators agree on tests/data/showif_cases.json.

   The server puts the conditions in <script type="application/json" id="..."> and
   names that id in the form's data-showif attribute (CSP: JSON data, not code). */
(function (root) {
  "use strict";

  var NUMBER = /^-?\d+(\.\d+)?$/;

  /* Digits, point and minus as a Chinese keyboard types them (full width), in ASCII:
     "１２" is the number 12 here and on the server (showif.py: half_width). */
  function halfWidth(text) {
    return text.replace(/[\uFF0D\uFF0E\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    });
  }

  function normalise(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === "boolean") return value ? "yes" : "no";
    if (typeof value === "number") return value;
    if (typeof value === "string") {
      var text = value.trim();
      if (text === "") return null;
      var ascii = halfWidth(text);
      return NUMBER.test(ascii) ? parseFloat(ascii) : text;
    }
    if (Array.isArray(value)) {
      var out = [];
      for (var i = 0; i < value.length; i++) {
        var n = normalise(value[i]);
        if (n !== null) out.push(n);
      }
      return out;
    }
    return String(value);
  }

  function comparable(a, b) {
    if (a === null || b === null || Array.isArray(a) || Array.isArray(b)) return false;
    return typeof a === typeof b;
  }

  function same(a, b) {
    return comparable(a, b) && a === b;
  }

  function equals(answer, value) {
    if (Array.isArray(answer)) {
      return answer.some(function (a) { return same(a, value); });
    }
    return same(answer, value);
  }

  function order(a, b, op) {
    if (!comparable(a, b)) return false;
    if (op === "lt") return a < b;
    if (op === "lte") return a <= b;
    if (op === "gt") return a > b;
    return a >= b;
  }

  function answered(answer) {
    return answer !== null && !(Array.isArray(answer) && answer.length === 0);
  }

  function evaluate(condition, answers) {
    var op = condition.op;
    var subs = condition.conditions || [];
    if (op === "all") return subs.every(function (c) { return evaluate(c, answers); });
    if (op === "any") return subs.some(function (c) { return evaluate(c, answers); });
    var key = condition.item;
    var raw = key !== undefined && key !== null && Object.prototype.hasOwnProperty.call(answers, key)
      ? answers[key] : null;
    var answer = normalise(raw);
    var has = condition.value !== undefined && condition.value !== null;
    if (op === "answered") {
      var wanted = has ? Boolean(condition.value) : true;
      return answered(answer) === wanted;
    }
    var value = normalise(has ? condition.value : null);
    if (op === "equals") return equals(answer, value);
    if (op === "not_equals") return !equals(answer, value);
    if (op === "in") {
      var values = Array.isArray(value) ? value : [value];
      return values.some(function (v) { return equals(answer, v); });
    }
    if (Array.isArray(answer)) return false;
    return order(answer, value, op);
  }

  function refs(condition, out) {
    if (condition.item !== undefined && condition.item !== null) out.push(condition.item);
    (condition.conditions || []).forEach(function (c) { refs(c, out); });
    return out;
  }

  /* items: [{key, show_if}] in document order; returns {key: true} for shown items. */
  function visibleItems(items, answers) {
    var visible = {};
    items.forEach(function (item) {
      var condition = item.show_if;
      if (!condition) {
        visible[item.key] = true;
        return;
      }
      var all = refs(condition, []).every(function (k) { return visible[k] === true; });
      if (all && evaluate(condition, answers)) visible[item.key] = true;
    });
    return visible;
  }

  var api = {
    normalise: normalise, evaluate: evaluate, visibleItems: visibleItems, halfWidth: halfWidth,
    NUMBER: NUMBER,
  };

  if (typeof module === "object" && module.exports) {
    module.exports = api;
    return;
  }
  root.DudaoShowIf = api;

  /* ---- Browser binding */
  function answersOf(form, spec) {
    var answers = {};
    spec.items.forEach(function (item) {
      var inputs = form.querySelectorAll('[name="' + spec.prefix + item.key + '"]');
      if (!inputs.length) return;
      var first = inputs[0];
      if (first.type === "radio") {
        var checked = form.querySelector('[name="' + spec.prefix + item.key + '"]:checked');
        answers[item.key] = checked ? checked.value : null;
      } else if (first.type === "checkbox") {
        answers[item.key] = Array.prototype.filter.call(inputs, function (i) { return i.checked; })
          .map(function (i) { return i.value; });
      } else if (first.type === "file") {
        answers[item.key] = Array.prototype.map.call(first.files || [], function (f) { return f.name; });
      } else {
        answers[item.key] = first.value;
      }
    });
    return answers;
  }

  function bind(form) {
    var block = document.getElementById(form.getAttribute("data-showif"));
    if (!block) return;
    var spec = JSON.parse(block.textContent);
    function apply() {
      var visible = visibleItems(spec.items, answersOf(form, spec));
      spec.items.forEach(function (item) {
        var box = document.getElementById("item-" + item.key);
        if (box) box.hidden = visible[item.key] !== true;
      });
    }
    form.addEventListener("change", apply);
    form.addEventListener("input", apply);
    apply();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-showif]"), bind);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(this);
