/* Drawing the tablet pages' status: progress, score preview, sync state, the refusal
   banner, photo thumbnails (the problems beside items: problems.js). Every text comes translated from the
   page (the "t-strings" JSON block); nothing visible is written here in English. */
(function (root) {
  "use strict";

  /* As the server's pages print a score: one decimal, half up (18.875 -> "18.9"). */
  function oneDecimal(value) {
    return (Math.floor(value * 10 + 0.5 + 1e-9) / 10).toFixed(1);
  }

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_m, k) {
      return values[k] === undefined ? "" : String(values[k]);
    });
  }

  function el(id) { return document.getElementById(id); }

  /* A text from the server in the page's language: {zh, en} gives English on English
     pages where there is one, else Chinese (the server's rule, Unit.name_in); a plain
     string (what records stored before both were kept hold) is shown as it is. */
  function local(value) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "object") return String(value);
    var english = /^en/i.test(document.documentElement.lang || "");
    return (english && value.en) || value.zh || "";
  }

  /* "code name" of a unit as the API gives it ({code, name, name_en}), or an older
     record's stored "code name" string. */
  function unitName(unit) {
    if (!unit || typeof unit !== "object") return local(unit);
    return unit.code + " " + local({ zh: unit.name, en: unit.name_en });
  }

  function setText(id, value) {
    var node = el(id);
    if (node) node.textContent = value;
  }

  function progress(result, text) {
    var bar = el("t-progress");
    if (bar) { bar.max = Math.max(result.required, 1); bar.value = result.answered; }
    setText("t-progress-text", fmt(text.progress, { answered: result.answered, required: result.required }));
  }

  function score(result, record, text) {
    var sent = record.submission && record.submission.done && record.submission.result;
    var node = el("t-score");
    if (!node) return;
    // Nothing answered yet: no score, rather than "0 % · fail" (blank required items count).
    var blank = !Object.keys(record.answers).length && !Object.keys(record.photoAnswers).length;
    var percent = sent ? sent.score.percent : blank ? null : result.percent;
    var line = percent === null || percent === undefined ? text.score_none
      : fmt(sent ? text.score_server : text.score, { percent: oneDecimal(percent) });
    // The server's grade in both languages is in its score (`grade` alone is Chinese).
    var grade = sent ? local(sent.score.grade) || sent.grade
      : !blank && result.grade && local(result.grade.label);
    if (grade) line += " · " + grade;
    var failedCritical = sent ? !sent.passed : result.critical.length > 0;
    if (failedCritical) line += " · " + text.critical_failed;
    node.textContent = line;
    node.classList.toggle("t-score-bad", failedCritical);
  }

  function state(record, text) {
    var node = el("t-state");
    if (!node) return;
    node.textContent = text["state_" + record.state] || record.state;
    node.className = "t-state t-state-" + record.state;
    node.setAttribute("data-state", record.state);
    var hint = el("t-hint");
    if (!hint) return;
    hint.textContent = "";
    if (record.problem && record.problem.code === "not_signed_in") {
      // A link back here through the sign-in page: the work is sent once the page opens.
      var link = document.createElement("a");
      link.href = "/login?next=" + encodeURIComponent(location.pathname);
      link.textContent = text.not_signed_in;
      hint.appendChild(link);
    }
  }

  function banner(record, server, text) {
    var box = el("t-banner");
    if (!box) return;
    var problem = record.state === "refused" ? record.problem : null;
    var readonly = !problem && !server.editable && record.state !== "queued" &&
      !(record.submission && !record.submission.done);
    box.hidden = !problem && !readonly && record.state !== "submitted";
    box.className = "t-banner" + (problem ? " t-banner-bad" : "");
    var message = problem ? (text["refused_" + problem.code] || problem.message || text.refused_invalid)
      : record.state !== "submitted" ? text.readonly
      : server.state === "approved" || server.state === "closed" ? text.approved : text.submitted;
    setText("t-banner-text", message);
    var exports = el("t-exports");
    if (exports) exports.hidden = !problem || problem.code === "invalid";
  }

  function lock(form, locked) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.closest && field.closest(".t-exempt")) return;
      field.disabled = locked;
    });
    form.classList.toggle("t-locked", locked);
  }

  function reveal(id) {
    var node = el(id);
    if (node && !node.hidden) node.scrollIntoView({ block: "start" });
  }

  var toastTimer = null;
  function toast(message) {
    var node = el("t-toast");
    if (!node) return;
    node.textContent = message;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.hidden = true; }, 4000);
  }

  function photos(form, record, stored, text, remove) {
    var byId = {};
    stored.forEach(function (p) { byId[p.id] = p; });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      var key = input.name.slice(2), answer = input.name.slice(0, 2) === "a_";
      var ids = ((answer ? record.photoAnswers : record.photos)[key]) || [];
      var strip = input.parentNode.querySelector('.t-photos[data-for="' + input.name + '"]');
      if (!strip) {
        strip = document.createElement("div");
        strip.className = "t-photos";
        strip.setAttribute("data-for", input.name);
        input.insertAdjacentElement("afterend", strip);
      }
      Array.prototype.forEach.call(strip.querySelectorAll("img"), function (img) {
        if (img.src.indexOf("blob:") === 0) URL.revokeObjectURL(img.src);
      });
      strip.textContent = "";
      ids.forEach(function (pid) {
        var photo = byId[pid];
        var figure = document.createElement("figure");
        var img = document.createElement("img");
        img.alt = "";
        img.src = photo && photo.blob ? URL.createObjectURL(photo.blob) : "/api/v1/photos/" + pid;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "t-photo-remove";
        button.textContent = "×";
        button.setAttribute("aria-label", text.photo_remove);
        button.addEventListener("click", function () { remove(pid); });
        figure.appendChild(img);
        figure.appendChild(button);
        strip.appendChild(figure);
      });
      var count = input.getAttribute("data-photo-count");
      if (count && el(count)) el(count).textContent = fmt(text.photos_count, { n: ids.length });
    });
  }

  function review(form, data, text) {
    if (!data || data.state !== "returned") return;
    var box = el("t-review");
    if (box) { box.hidden = false; setText("t-review-text", data.comment || ""); }
    Object.keys(data.item_comments || {}).forEach(function (key) {
      var item = document.getElementById("item-" + key);
      if (!item) return;
      var note = document.createElement("p");
      note.className = "t-review-note";
      note.textContent = text.review_item + " " + data.item_comments[key];
      item.insertBefore(note, item.firstChild.nextSibling);
    });
  }

  function online(text) {
    var on = navigator.onLine;
    setText("t-online", on ? text.online : text.offline);
    var node = el("t-online");
    if (node) node.className = "t-online " + (on ? "is-online" : "is-offline");
  }

  /* The bottom bar stays on screen only while it takes less than a third of it (large text
     can make it taller than a phone's screen): else it stays at the end of the page. The
     page's scroll padding is its height, so a focused field never hides under it. */
  function fitBar() {
    var bar = document.querySelector(".t-bar");
    if (!bar) return;
    function fit() {
      var free = bar.offsetHeight > root.innerHeight / 3;
      bar.classList.toggle("t-bar-free", free);
      document.documentElement.style.setProperty("--t-bar-height", free ? "0px" : bar.offsetHeight + "px");
    }
    new ResizeObserver(fit).observe(bar);
    root.addEventListener("resize", fit);
  }

  function bindCommon(text, syncAll) {
    fitBar();
    online(text);
    root.addEventListener("online", function () { online(text); });
    root.addEventListener("offline", function () { online(text); });
    var button = el("t-sync-now");
    if (button) {
      button.addEventListener("click", function () {
        // Say what happened, also when there was nothing to send: a silent button reads
        // as a broken one.
        if (!navigator.onLine) { toast(text.sync_offline); return; }
        button.disabled = true;
        Promise.resolve(syncAll()).then(root.DudaoSync.waiting).then(function (n) {
          toast(n ? fmt(text.sync_waiting, { n: n }) : text.sync_done);
        }).finally(function () { button.disabled = false; });
      });
    }
  }

  function exports(getRecord) {
    var json = el("t-export-json"), page = el("t-export-html");
    if (json) json.addEventListener("click", function () { root.DudaoExport.download(getRecord(), "json"); });
    if (page) page.addEventListener("click", function () { root.DudaoExport.download(getRecord(), "html"); });
  }

  root.DudaoUI = {
    fmt: fmt, local: local, unitName: unitName, progress: progress, score: score, state: state, banner: banner,
    lock: lock, toast: toast, reveal: reveal,
    photos: photos, review: review, bindCommon: bindCommon, exports: exports,
  };
})(this);
