/* The checklist's problems before a submit, found on the device in the server's words
   (required answers, answers beyond their limits, evidence), and drawn: beside each item, on
   its inputs for screen readers, and in a summary above the form. */
(function (root) {
  "use strict";

  var UI = root.DudaoUI;

  /* The server's words for what a failed item still needs (the same as the page's). */
  function isEvidence(message, text) {
    return Boolean(message) && Object.keys(text.evidence || {}).some(function (need) {
      return text.evidence[need] === message;
    });
  }

  /* Each message beside its item, and read with the item's inputs (aria-invalid, the message's
     id in aria-describedby), as the server's pages do; the summary above the form lists them. */
  function fieldErrors(form, fields, text, focus) {
    var listed = [];
    Array.prototype.forEach.call(form.querySelectorAll(".ditem"), function (box) {
      var key = box.getAttribute("data-item");
      var message = fields && fields[key];
      var out = document.getElementById("e-" + key);
      box.classList.toggle("has-error", Boolean(message));
      if (out) { out.hidden = !message; out.textContent = message || ""; }
      Array.prototype.forEach.call(form.querySelectorAll('[name="a_' + key + '"]'), function (input) {
        describe(input, "e-" + key, Boolean(message));
      });
      var evidence = box.querySelector("details.devidence");
      if (evidence && isEvidence(message, text)) evidence.open = true;
      var label = box.querySelector(".ditem-text");
      if (message) listed.push({ key: key, question: label ? label.textContent : key, problem: message });
    });
    summary(listed, text, focus);
  }

  function describe(input, id, invalid) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (one) {
      return one && one !== id;
    });
    if (invalid) ids.push(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
    if (invalid) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  /* A refused submit: how many answers need attention, each a link to its item, focused (the
     submit button is far below) and kept until the last is fixed. Redrawn only when the
     problems change, so that typing does not make a screen reader read it again. */
  function summary(listed, text, focus) {
    var box = document.getElementById("t-summary");
    if (!box) return;
    var said = JSON.stringify(listed);
    if (box.getAttribute("data-said") !== said) {
      box.setAttribute("data-said", said);
      document.getElementById("t-summary-count").textContent = UI.fmt(text.summary, { n: listed.length });
      var list = document.getElementById("t-summary-list");
      list.textContent = "";
      listed.forEach(function (one) {
        var line = document.createElement("li"), link = document.createElement("a");
        var parts = text.summary_line.split("{question}");
        link.href = "#item-" + one.key;
        link.textContent = one.question;
        line.appendChild(document.createTextNode(UI.fmt(parts[0], one)));
        line.appendChild(link);
        line.appendChild(document.createTextNode(UI.fmt(parts[1] || "", one)));
        list.appendChild(line);
      });
    }
    box.hidden = !listed.length;
    if (focus && listed.length) box.focus();
  }

  /* The server's words for an answer beyond its item's limits (spec items' `limits`): a
     number read as the server reads it (full-width digits too), so a typo made offline is
     named here rather than refused when the network returns. */
  function beyond(limits, value) {
    var text = root.DudaoShowIf.halfWidth(String(value).trim());
    if (limits.number && text !== "") {
      if (!root.DudaoShowIf.NUMBER.test(text)) return limits.number[1];
      if ((text.split(".")[1] || "").replace(/0+$/, "").length > limits.decimals[0]) {
        return limits.decimals[1];
      }
      var n = parseFloat(text);
      if (limits.min && n < limits.min[0]) return limits.min[1];
      if (limits.max && n > limits.max[0]) return limits.max[1];
    }
    if (limits.max_choices && Array.isArray(value) && value.length > limits.max_choices[0]) {
      return limits.max_choices[1];
    }
    if (limits.max_length && typeof value === "string" &&
        value.replace(/\r\n/g, "\n").length > limits.max_length[0]) return limits.max_length[1];
    if (limits.max_count && Array.isArray(value) && value.length > limits.max_count[0]) {
      return limits.max_count[1];
    }
    return "";
  }

  /* What the server would refuse, found before queueing: required answers, answers beyond
     their limits (a typo like 150 where 100 is the most), and evidence. */
  function missing(result, record, spec, shown, text) {
    var problems = {};
    result.missing.forEach(function (key) { problems[key] = text.needs_answer; });
    spec.items.forEach(function (item) {
      var value = item.type === "photo" ? (record.photoAnswers || {})[item.key] : record.answers[item.key];
      if (!shown[item.key] || problems[item.key] || value === undefined || value === null) return;
      var problem = beyond(item.limits || {}, value);
      if (problem) problems[item.key] = problem;
    });
    Object.keys(record.photos || {}).forEach(function (key) {  // evidence photos, any item
      var most = spec.evidence_photos;
      if (most && shown[key] && !problems[key] && record.photos[key].length > most[0]) {
        problems[key] = most[1];
      }
    });
    result.failed.forEach(function (key) {
      var item = spec.items.filter(function (i) { return i.key === key; })[0];
      var note = Boolean((record.notes[key] || "").trim());
      var photo = Boolean((record.photos[key] || []).length);
      var need = item.evidence;
      var ok = need === "none" || (need === "note" && note) || (need === "photo" && photo) ||
        (need === "note_or_photo" && (note || photo)) || (need === "note_and_photo" && note && photo);
      if (!ok && shown[key] && !problems[key]) problems[key] = text.evidence[need];
    });
    return problems;
  }

  root.DudaoProblems = { missing: missing, fieldErrors: fieldErrors };
})(this);
