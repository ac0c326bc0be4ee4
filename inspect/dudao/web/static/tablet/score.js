/* Progress and a live score preview, mirroring dudao/definitions/scoring.py for display
   only: the server scores every submission itself and its result is the one kept. */
(function (root) {
  "use strict";

  function blank(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function number(value) {
    var n = typeof value === "number" ? value : parseFloat(root.DudaoShowIf.halfWidth(String(value).trim()));
    return isNaN(n) ? null : n;
  }

  function inRange(value, rule) {
    return (rule.min === null || value >= rule.min) && (rule.max === null || value <= rule.max);
  }

  /* true (passed), false (failed) or null (does not count, e.g. N/A or unreadable). */
  function passes(item, value) {
    var rule = item.rule || { options: [], min: null, max: null };
    if (item.type === "yes_no") {
      if (value === "na") return null;
      var wanted = rule.options.length ? rule.options : ["yes"];
      return wanted.indexOf(value) >= 0;
    }
    if (item.type === "single_choice") return rule.options.indexOf(value) >= 0;
    if (item.type === "multi_choice") {
      return [].concat(value).every(function (v) { return rule.options.indexOf(v) >= 0; });
    }
    if (item.type === "scale" || item.type === "rating" || item.type === "number") {
      var n = number(value);
      return n === null ? null : inRange(n, rule);
    }
    return null;
  }

  /* spec: the page's scoring block; shown: {key: true}; answers keyed by item key. */
  function evaluate(spec, shown, answers) {
    var earned = 0, possible = 0, failed = [], critical = [], required = 0, answered = 0;
    var missing = [];
    spec.items.forEach(function (item) {
      if (!shown[item.key] || item.type === "note") return;
      var value = answers[item.key];
      if (item.required) {
        required += 1;
        if (!blank(value)) answered += 1;
        else missing.push(item.key);
      }
      if (!item.scored) return;
      if (blank(value)) {
        if (item.required) possible += item.weight;
        return;
      }
      var verdict = passes(item, value);
      if (verdict === null) return;
      possible += item.weight;
      if (verdict) earned += item.weight;
      else {
        failed.push(item.key);
        if (item.critical) critical.push(item.key);
      }
    });
    var percent = possible ? Math.round(10000 * earned / possible) / 100 : null;
    var grade = null;
    if (critical.length && spec.grades.length) grade = spec.grades[spec.grades.length - 1];
    else if (percent !== null) {
      grade = spec.grades.filter(function (g) { return percent >= g.min; })[0] || null;
    }
    return { percent: percent, failed: failed, critical: critical, grade: grade,
             required: required, answered: answered, missing: missing };
  }

  root.DudaoScore = { evaluate: evaluate, passes: passes, blank: blank };
})(this);
