/* The checklist page on the tablet: the form <-> the record in IndexedDB, photos,
   progress, score preview, submit (queued, then synced) and the sync state. */
(function (root) {
  "use strict";

  var DB = root.DudaoDB, Sync = root.DudaoSync, Score = root.DudaoScore, UI = root.DudaoUI;
  var Problems = root.DudaoProblems;
  var form = document.getElementById("dform");
  if (!form || !document.getElementById("t-server")) return;
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  var server = data("t-server"), spec = data("t-scoring"), text = data("t-strings");
  var showif = data(form.getAttribute("data-showif"));
  var id = server.id;
  var record = null;
  var saving = null;
  var draftTimer = null;
  var checking = false;
  var shownState = null;  // the sync state render() drew last
  var TAKEN = ["submitted", "approved", "closed"];  // the server's states after a submission

  function inputs(key) { return form.querySelectorAll('[name="a_' + key + '"]'); }

  function gather() {
    var answers = {}, notes = {};
    spec.items.forEach(function (item) {
      if (item.type === "photo" || item.type === "note") return;
      var fields = inputs(item.key);
      if (!fields.length) return;
      var first = fields[0], value = null;
      if (first.type === "radio") {
        var on = form.querySelector('[name="a_' + item.key + '"]:checked');
        value = on ? on.value : null;
      } else if (first.type === "checkbox") {
        value = Array.prototype.filter.call(fields, function (f) { return f.checked; })
          .map(function (f) { return f.value; });
        if (!value.length) value = null;
      } else if (first.value.trim() !== "") value = first.value;
      if (value !== null) answers[item.key] = value;
    });
    Array.prototype.forEach.call(form.querySelectorAll('textarea[name^="n_"]'), function (area) {
      if (area.value.trim()) notes[area.name.slice(2)] = area.value;
    });
    return { answers: answers, notes: notes };
  }

  function restore(content) {
    spec.items.forEach(function (item) {
      var value = content.answers[item.key];
      Array.prototype.forEach.call(inputs(item.key), function (field) {
        if (field.type === "file") return;
        if (field.type === "radio" || field.type === "checkbox") {
          // The server keeps clean values (8, not "8"); the form speaks strings.
          field.checked = value !== undefined && [].concat(value).map(String).indexOf(field.value) >= 0;
        } else field.value = value === undefined ? "" : value;
      });
    });
    Array.prototype.forEach.call(form.querySelectorAll('textarea[name^="n_"]'), function (area) {
      area.value = content.notes[area.name.slice(2)] || "";
      var box = area.closest("details");
      if (box && area.value) box.open = true;  // a kept note is shown, not folded away
    });
    form.dispatchEvent(new Event("change"));  // showif.js redraws
    Array.prototype.forEach.call(form.querySelectorAll("[data-counter]"), function (field) {
      field.dispatchEvent(new Event("input"));  // forms.js recounts the characters
    });
  }

  function fresh() {
    var draft = server.draft || { answers: {}, notes: {}, photos: {}, revision: 0 };
    var rec = {
      id: id, user: server.user, title: server.title, unit: server.unit, due: server.due_date,
      definitionVersionId: server.definition_version_id, spec: spec,
      answers: {}, notes: draft.notes || {}, photos: {}, photoAnswers: {},
      changedAt: 0, savedAt: 0, serverRevision: draft.revision, state: server.draft ? "synced" : "none",
      submission: null, problem: null,
    };
    return Sync.photoRecords(id).then(function (records) {
      spec.items.forEach(function (item) {
        var value = draft.answers[item.key];
        if (value === undefined) return;
        if (item.type === "photo") rec.photoAnswers[item.key] = value.map(records.here(item.key, "answer"));
        else rec.answers[item.key] = value;
      });
      Object.keys(draft.photos || {}).forEach(function (key) {
        rec.photos[key] = draft.photos[key].map(records.here(key, "evidence"));
      });
      return records.keep();
    }).then(function () { return rec; });
  }

  function visible() {
    var answers = Object.assign({}, record.answers, record.photoAnswers);
    return root.DudaoShowIf.visibleItems(showif.items, answers);
  }

  function render() {
    var shown = visible();
    var result = Score.evaluate(spec, shown, Object.assign({}, record.answers, record.photoAnswers));
    UI.progress(result, text);
    UI.score(result, record, text);
    UI.state(record, text);
    UI.banner(record, server, text);
    // After a refused tap on submit, the problems stay beside the items until fixed.
    var problems = Object.assign({}, record.problem && record.problem.fields,
      checking ? Problems.missing(result, record, spec, shown, text) : {});
    // Refused while the page is open (often at the submit button, far from the banner):
    // show why, and the exports, rather than a red word in the bottom bar.
    var refusedNow = record.state === "refused" && shownState !== null && shownState !== "refused";
    shownState = record.state;
    var invalid = refusedNow && record.problem && record.problem.code === "invalid";
    Problems.fieldErrors(form, problems, text, invalid);
    if (refusedNow && !invalid) UI.reveal("t-banner");
    var locked = record.state === "queued" || record.state === "submitted" ||
      (record.state === "saving" && record.submission && !record.submission.done) ||
      (record.state === "refused" && record.problem && record.problem.code !== "invalid") ||
      (!server.editable && !(record.submission && !record.submission.done) && record.state !== "refused");
    UI.lock(form, locked);
    // Once sent again, the office's earlier return comments are history.
    document.body.classList.toggle("t-sent", record.state === "submitted" || record.state === "queued");
    return result;
  }

  function save() {
    var content = gather();
    if (DB.stable(content) === DB.stable({ answers: record.answers, notes: record.notes })) {
      return Promise.resolve(record);
    }
    saving = DB.update("work", id, function (r) {
      r.answers = content.answers;
      r.notes = content.notes;
      r.changedAt = Date.now();
      var invalid = r.state === "refused" && r.problem && r.problem.code === "invalid";
      if (r.state === "synced" || r.state === "none" || invalid) r.state = "device";
      return r;
    }).then(function (r) { record = r; render(); Sync.announce(id); scheduleDraft(); return r; });
    return saving;
  }

  function scheduleDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(function () { Sync.syncOne(id); }, 2000);
  }

  function addPhotos(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var key = input.name.slice(2), kind = input.name.slice(0, 2) === "a_" ? "answer" : "evidence";
    input.value = "";
    return files.reduce(function (chain, file) {
      return chain.then(function () { return root.DudaoPhotos.shrink(file); }).then(function (shrunk) {
        var photo = { id: DB.uuid(), inspection: id, item: key, kind: kind, blob: shrunk.blob,
                      width: shrunk.width, height: shrunk.height, serverId: null, createdAt: Date.now() };
        return DB.put("photos", photo).then(function () {
          return DB.update("work", id, function (r) {
            var lists = kind === "answer" ? r.photoAnswers : r.photos;
            lists[key] = (lists[key] || []).concat([photo.id]);
            return touched(r);
          });
        });
      });
    }, Promise.resolve()).then(function (r) {
      if (r) record = r;
      return drawPhotos();
    }).then(function () { render(); Sync.announce(id); scheduleDraft(); })
      .catch(function () { UI.toast(text.photo_failed); });
  }

  function removePhoto(photoId) {
    return DB.update("work", id, function (r) {
      [r.photoAnswers, r.photos].forEach(function (lists) {
        Object.keys(lists).forEach(function (k) {
          lists[k] = lists[k].filter(function (p) { return p !== photoId; });
          if (!lists[k].length) delete lists[k];
        });
      });
      return touched(r);
    }).then(function (r) {
      record = r;
      return DB.remove("photos", photoId);
    }).then(drawPhotos).then(function () { render(); Sync.announce(id); scheduleDraft(); });
  }

  /* A photo added or removed: the server's draft is behind until the next save. */
  function touched(r) {
    r.changedAt = Date.now();
    if (r.state === "synced" || r.state === "none") r.state = "device";
    return r;
  }

  function drawPhotos() {
    return DB.photosOf(id).then(function (photos) {
      UI.photos(form, record, photos, text, removePhoto);
    });
  }

  function submit(event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (record.state === "submitted" || record.state === "queued") {
      Sync.syncOne(id);  // already taken, or waiting for the network: nothing new to queue
      return;
    }
    button.disabled = true;
    Promise.resolve(saving).then(save).then(function () {
      var result = render();
      var problems = Problems.missing(result, record, spec, visible(), text);
      if (Object.keys(problems).length) {
        checking = true;
        Problems.fieldErrors(form, problems, text, true);
        button.disabled = false;
        return null;
      }
      return Sync.queueSubmission(id, record).then(function (r) {
        record = r;
        render();
        return Sync.syncOne(id);
      });
    });
  }

  function reload() {
    return DB.get("work", id).then(function (r) {
      if (!r) return;
      var before = DB.stable({ answers: record.answers, notes: record.notes });
      record = r;
      if (DB.stable({ answers: r.answers, notes: r.notes }) !== before) restore(r);
      drawPhotos();
      render();
    });
  }

  function begin(r) {
    record = r;
    // The names as the server has them now, in both languages (a record stored before
    // both were kept had them in one, as a string).
    record.spec = spec;
    record.title = server.title;
    record.unit = server.unit;
    var sent = r.state === "submitted" || Boolean(r.submission && r.submission.done);
    var returned = server.state === "returned" && sent;
    var settled = (r.changedAt || 0) <= (r.savedAt || 0) && !(r.submission && !r.submission.done);
    var newer = server.draft && server.draft.revision > (r.serverRevision || 0) && settled;
    // With the office (from this tablet or another): the server's draft is what was
    // submitted, so the work reads "submitted", not "saved on the server". Answers changed
    // here and not sent stay as they are (the server refuses them, and says why).
    var taken = TAKEN.indexOf(server.state) >= 0 && settled && r.state !== "refused";
    // Edits refused as the checklist was taken elsewhere, and the office has since returned
    // it: the work goes on (a refused submission stays refused: it is tapped again).
    var reopened = r.state === "refused" && r.problem && r.problem.code === "inspection_not_open" &&
      server.editable && !(r.submission && !r.submission.done);
    if (reopened) { r.state = "device"; r.problem = null; }
    var chain = Promise.resolve(r);
    if (newer) chain = fresh().then(function (f) { f.submission = r.submission; return f; });
    return chain.then(function (rec) {
      if (returned) {  // the server's draft holds the returned answers: continue from them
        rec.lastSubmission = rec.submission;
        rec.submission = null;
        rec.state = "synced";
        rec.problem = null;
        rec.savedAt = rec.changedAt || 0;
      } else if (taken) rec.state = "submitted";
      if (server.state === "cancelled" && rec.state !== "submitted") {
        rec.state = "refused";
        rec.problem = { code: "inspection_cancelled", message: "" };
      }
      return DB.put("work", rec);
    }).then(function (rec) {
      record = rec;
      restore(record);
      // The form's own spelling of the answers ("10", not 10) is the baseline, so opening
      // the page never counts as a change.
      var shown = gather();
      record.answers = shown.answers;
      record.notes = shown.notes;
      return DB.put("work", record);
    }).then(drawPhotos);
  }

  DB.get("work", id).then(function (r) {
    return r ? begin(r) : fresh().then(begin);
  }).then(function () {
    render();
    UI.review(form, server.review, text);
    form.addEventListener("change", function (e) {
      if (e.target.type === "file") addPhotos(e.target);
      else save();
    });
    form.addEventListener("input", function () { clearTimeout(form.savingTimer); form.savingTimer = setTimeout(save, 300); });
    form.addEventListener("submit", submit);
    root.addEventListener("dudao:work", function (e) { if (e.detail.id === id) reload(); });
    UI.bindCommon(text, function () { return Sync.syncAll(); });
    UI.exports(function () { return record; });
    document.body.setAttribute("data-client-ready", "yes");
    return Sync.start(server.user);
  }).then(function () {
    return root.DudaoOffline.prepare(server.user);
  }).then(function (outcome) {
    if (outcome) document.body.setAttribute("data-offline-ready", "yes");
  });
})(this);
