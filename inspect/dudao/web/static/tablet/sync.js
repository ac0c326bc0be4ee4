/* Sending the work kept on the device to the server (docs/tablet.md, docs/api.md).

   Sync states of an inspection record: "none" (only opened here: nothing of the
   inspector's yet, and no draft on the server), "device" (saved on the device only), "queued"
   (submitted on the device, waiting for the network), "saving", "synced" (the draft is
   on the server), "submitted" (the server took the submission) and "refused" (the
   server will not take it: cancelled, reassigned, invalid; the answers stay here).
   A submission keeps the id it was given when the inspector tapped submit, so every
   retry, double tap and second tab sends the same id and the server replays. */
(function (root) {
  "use strict";

  var DB = root.DudaoDB;
  var API = "/api/v1";
  var REFUSALS = ["inspection_cancelled", "inspection_reassigned", "inspection_not_open",
                  "submission_id_reused", "invalid", "not_found"];
  var channel = "BroadcastChannel" in root ? new BroadcastChannel("dudao-tablet") : null;
  var token = null;
  var user = null;

  function announce(id) {
    var detail = { id: id };
    if (channel) channel.postMessage(detail);
    root.dispatchEvent(new CustomEvent("dudao:work", { detail: detail }));
  }
  if (channel) {
    channel.onmessage = function (event) {
      root.dispatchEvent(new CustomEvent("dudao:work", { detail: event.data }));
    };
  }

  async function csrf(fresh) {
    if (!token || fresh) {
      var response = await fetch(API + "/me", { credentials: "same-origin" });
      if (!response.ok) throw { status: response.status };
      token = (await response.json()).csrf_token;
    }
    return token;
  }

  /* One API call; resolves to {status, body}; rejects only when the network fails. */
  async function call(method, path, body, form) {
    for (var attempt = 0; attempt < 2; attempt++) {
      var headers = { "X-CSRFToken": await csrf(attempt > 0) };
      if (!form) headers["Content-Type"] = "application/json";
      var response = await fetch(API + path, {
        method: method, headers: headers, credentials: "same-origin",
        body: form ? body : JSON.stringify(body),
      });
      var data = {};
      try { data = await response.json(); } catch (e) { data = {}; }
      var stale = response.status === 400 && data.error === "csrf_failed";
      if (!stale || attempt > 0) return { status: response.status, body: data };
    }
  }

  /* `state` is a name, or a function of the record as it is now in the store. */
  function setState(id, state, problem) {
    return DB.update("work", id, function (record) {
      if (!record) return undefined;
      record.state = typeof state === "function" ? state(record) : state;
      if (problem !== undefined) record.problem = problem;
      return record;
    }).then(function (record) { announce(id); return record; });
  }

  async function uploadPhotos(id) {
    var photos = await DB.photosOf(id);
    for (var i = 0; i < photos.length; i++) {
      var photo = photos[i];
      if (photo.serverId || !photo.blob) continue;
      var form = new FormData();
      form.append("item_key", photo.item);
      form.append("file", photo.blob, "photo.jpg");
      var answer = await call("POST", "/inspections/" + id + "/photos", form, true);
      if (answer.status !== 200 && answer.status !== 201) return answer;
      photo.serverId = answer.body.id;
      await DB.put("photos", photo);
    }
    return null;
  }

  /* answers/notes/photos as the API wants them: local photo ids become server ids. */
  async function serverContent(id, content) {
    var photos = await DB.photosOf(id);
    var ids = {};
    photos.forEach(function (p) { if (p.serverId) ids[p.id] = p.serverId; });
    function map(lists) {
      var out = {};
      Object.keys(lists || {}).forEach(function (key) {
        // The server keeps one copy of a picture added twice to an item: so does the list.
        var list = once(lists[key].map(function (local) { return ids[local] || local; }));
        if (list.length) out[key] = list;
      });
      return out;
    }
    var answers = Object.assign({}, content.answers || {}, map(content.photoAnswers));
    return { answers: answers, notes: content.notes || {}, photos: map(content.photos) };
  }

  function refusal(answer) {
    if (answer.status === 409 || answer.status === 422 || answer.status === 404) {
      var code = answer.body.error || "invalid";
      return { code: REFUSALS.indexOf(code) >= 0 ? code : "invalid",
               message: answer.body.message || "", fields: answer.body.fields || {} };
    }
    return null;
  }

  async function submitOne(id, record) {
    var failed = await uploadPhotos(id);
    if (failed) return failed;
    var content = await serverContent(id, record.submission);
    content.submission_id = record.submission.id;
    var answer = await call("POST", "/inspections/" + id + "/submissions", content);
    if (answer.status === 200 || answer.status === 201) {
      await DB.update("work", id, function (r) {
        r.submission.done = true;
        r.submission.result = answer.body;
        r.state = "submitted";
        r.problem = null;
        r.savedAt = r.changedAt || 0;  // the server's draft now holds the submitted answers
        return r;
      });
      announce(id);
    }
    return answer;
  }

  /* The device's record of a photo it knows only from the server (shown from the API). */
  function serverPhoto(inspectionId, serverId, item, kind) {
    return { id: serverId, serverId: serverId, inspection: inspectionId, item: item, kind: kind, blob: null };
  }

  function once(list) {
    return list.filter(function (value, at) { return list.indexOf(value) === at; });
  }

  /* The server's photo ids in a draft, as this device's photo records: a photo taken here
     keeps its record (the picture itself, offline too); another device's gets a record of
     its own once, read from the server. `here(key, kind)` maps a server id; `keep()` stores
     the records that arrived. */
  async function photoRecords(id) {
    var local = {};
    (await DB.photosOf(id)).forEach(function (p) { local[p.serverId || p.id] = p.id; });
    var arrived = [];
    function here(key, kind) {
      return function (serverId) {
        if (!local[serverId]) {
          local[serverId] = serverId;
          arrived.push(serverPhoto(id, serverId, key, kind));
        }
        return local[serverId];
      };
    }
    async function keep() {
      for (var i = 0; i < arrived.length; i++) await DB.put("photos", arrived[i]);
    }
    return { here: here, keep: keep };
  }

  /* Another device (a second inspector of the inspection, another tablet) saved the draft
     since this one last had it: take in what it has and this device has not (answers and
     notes this device has keep its own; photos join), then save the whole on top of it. */
  async function mergeServerDraft(id) {
    var got = await call("GET", "/inspections/" + id + "/draft");
    if (got.status !== 200) return null;
    var draft = got.body;
    var record = await DB.get("work", id);
    var photoItems = {};
    ((record.spec && record.spec.items) || []).forEach(function (item) {
      if (item.type === "photo") photoItems[item.key] = true;
    });
    var records = await photoRecords(id), here = records.here;
    var merged = await DB.update("work", id, function (r) {
      Object.keys(draft.answers || {}).forEach(function (key) {
        if (photoItems[key]) {
          r.photoAnswers[key] = once((r.photoAnswers[key] || []).concat(draft.answers[key].map(here(key, "answer"))));
        } else if (!(key in r.answers)) r.answers[key] = draft.answers[key];
      });
      Object.keys(draft.notes || {}).forEach(function (key) {
        if (!r.notes[key]) r.notes[key] = draft.notes[key];
      });
      Object.keys(draft.photos || {}).forEach(function (key) {
        r.photos[key] = once((r.photos[key] || []).concat(draft.photos[key].map(here(key, "evidence"))));
      });
      r.serverRevision = draft.revision;
      return r;
    });
    await records.keep();
    announce(id);
    return merged;
  }

  async function saveDraft(id, record, merged) {
    var failed = await uploadPhotos(id);
    if (failed) return failed;
    var stamp = record.changedAt;
    var content = await serverContent(id, record);
    if (typeof record.serverRevision === "number") content.base_revision = record.serverRevision;
    var answer = await call("PUT", "/inspections/" + id + "/draft", content);
    if (answer.status === 409 && answer.body.error === "draft_changed" && !merged) {
      var both = await mergeServerDraft(id);
      if (both) return saveDraft(id, both, true);
    }
    if (answer.status === 200) {
      await DB.update("work", id, function (r) {
        r.savedAt = stamp;
        r.serverRevision = answer.body.revision;
        r.state = pending(r) ? "queued" : (r.changedAt || 0) > stamp ? "device" : "synced";
        r.problem = null;
        return r;
      });
      announce(id);
    }
    return answer;
  }

  function pending(record) {
    return Boolean(record.submission && !record.submission.done);
  }

  /* At rest after a network step. Read when the step ends, not when it began: a submission
     queued meanwhile (a tap, another tab) keeps the record "queued". */
  function resting(record) {
    return pending(record) ? "queued" : "device";
  }

  function needsWork(record) {
    if (!record || record.state === "refused" || record.state === "submitted") return false;
    if (user !== null && record.user !== user) return false;
    return pending(record) || (record.changedAt || 0) > (record.savedAt || 0);
  }

  async function syncUnlocked(id) {
    var record = await DB.get("work", id);
    if (!needsWork(record) || !navigator.onLine) return;
    var submitting = pending(record);
    await setState(id, "saving");
    var answer;
    try {
      answer = submitting ? await submitOne(id, record) : await saveDraft(id, record);
    } catch (networkOrSignIn) {
      var signedOut = networkOrSignIn && networkOrSignIn.status === 401;
      await setState(id, resting, signedOut ? { code: "not_signed_in" } : null);
      return;
    }
    if (answer.status === 200 || answer.status === 201) return;
    var refused = refusal(answer);
    // Cancelled, reassigned, or taken by another device's submission: nothing this device
    // sends will be taken (a draft too), so it stops, keeps the work and offers the exports.
    var conflict = refused && /^inspection_(cancelled|reassigned|not_open)$/.test(refused.code);
    if (refused && submitting && refused.code === "invalid") {
      // Nothing was stored: drop the queued submission, show the problems beside the
      // items; the corrected answers go with a new submission id.
      await DB.update("work", id, function (r) {
        r.rejected = r.submission;
        r.submission = null;
        r.state = "refused";
        r.problem = refused;
        return r;
      });
      announce(id);
    } else if (refused && (submitting || conflict)) await setState(id, "refused", refused);
    else if (answer.status === 401) await setState(id, resting, { code: "not_signed_in" });
    else await setState(id, resting, refused);
  }

  function syncOne(id) {
    if (navigator.locks) {
      return navigator.locks.request("dudao-sync-" + id, function () { return syncUnlocked(id); });
    }
    return syncUnlocked(id);
  }

  var running = null;
  function syncAll() {
    if (running) return running;
    running = DB.all("work").then(function (records) {
      return records.filter(needsWork).reduce(function (chain, record) {
        return chain.then(function () { return syncOne(record.id); });
      }, Promise.resolve());
    }).catch(function (error) {
      if (root.console) console.warn("sync", error);
    }).finally(function () { running = null; });
    return running;
  }

  /* Queue the submission: the id is made once, in one transaction, and reused as long as
     the content is the same (double taps, two tabs, retries). */
  function queueSubmission(id, content) {
    var text = DB.stable(content);
    return DB.update("work", id, function (record) {
      if (record.state === "submitted") return undefined;  // taken already: a late tap
      var pending = record.submission && !record.submission.done ? record.submission : null;
      if (!pending || DB.stable(contentOf(pending)) !== text) {
        record.submission = Object.assign(contentOf(content), {
          id: DB.uuid(), queuedAt: Date.now(), done: false,
        });
      }
      record.state = "queued";
      record.problem = null;
      return record;
    }).then(function (record) { announce(id); return record; });
  }

  function contentOf(c) {
    return { answers: c.answers || {}, notes: c.notes || {}, photos: c.photos || {},
             photoAnswers: c.photoAnswers || {} };
  }

  /* A page closed in the middle of a request left its record "saving", and offline nothing
     would change it: at the start of a page no request of this one is on its way. */
  function settle() {
    return DB.all("work").then(function (records) {
      return Promise.all(records.filter(function (r) {
        return r.state === "saving" && r.user === user;
      }).map(function (r) { return setState(r.id, resting); }));
    });
  }

  function start(currentUser) {
    user = currentUser;
    root.addEventListener("online", syncAll);
    setInterval(syncAll, 15000);
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
        .catch(function () { return false; });
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (error) {
        if (root.console) console.warn("service worker", error);
      });
    }
    return settle().then(syncAll);
  }

  /* How many records of this user still wait for the server. */
  function waiting() {
    return DB.all("work").then(function (records) { return records.filter(needsWork).length; });
  }

  root.DudaoSync = {
    start: start, syncAll: syncAll, syncOne: syncOne, queueSubmission: queueSubmission, waiting: waiting,
    announce: announce, contentOf: contentOf, photoRecords: photoRecords,
  };
})(this);
