/* Keeping the tablet usable offline: the service worker stores the pages of the
   inspector's assignments (and the shell), and the work kept here takes the names the
   server gives them now. */
(function (root) {
  "use strict";

  var DB = root.DudaoDB;
  var API = "/api/v1";

  /* The work kept here takes its unit's names from the list as the server has them now,
     in both languages, so a record stored before both were kept (its unit and title one
     string each) follows the page's language too, and a renamed unit shows its new name.
     A title kept in both languages stays: it is the pinned version's (the checklist's). */
  function refreshNames(assignments, user) {
    return Promise.all(assignments.map(function (a) {
      var changed = false;
      return DB.update("work", a.id, function (record) {
        if (!record || record.user !== user) return undefined;
        var kept = record.title && typeof record.title === "object";
        var names = { unit: a.unit, title: kept ? record.title : a.definition.title };
        if (DB.stable({ title: record.title, unit: record.unit }) === DB.stable(names)) return undefined;
        changed = true;
        return Object.assign(record, names);
      }).then(function () { if (changed) root.DudaoSync.announce(a.id); });
    })).catch(function (error) {
      if (root.console) console.warn("names", error);
    });
  }

  /* Ask the service worker to keep these pages (and the shell) for offline use. */
  function prepare(user) {
    if (!("serviceWorker" in navigator) || !navigator.onLine) return Promise.resolve(false);
    var shell = Array.prototype.map.call(
      document.querySelectorAll("link[rel=stylesheet][href], script[src], link[rel=icon]"),
      function (el) { return el.getAttribute("href") || el.getAttribute("src"); });
    return fetch(API + "/assignments", { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("assignments " + response.status);
      return response.json();
    }).then(function (data) {
      return refreshNames(data.assignments, user).then(function () { return data; });
    }).then(function (data) {
      var urls = ["/inspect", "/inspect/device", location.pathname].concat(shell);
      data.assignments.forEach(function (a) {
        urls.push("/inspect/" + a.id);
        urls.push(API + "/definition-versions/" + a.definition_version_id);
      });
      return navigator.serviceWorker.ready.then(function (registration) {
        return new Promise(function (resolve) {
          var pipe = new MessageChannel();
          pipe.port1.onmessage = function (event) { resolve(event.data); };
          registration.active.postMessage({ type: "precache", urls: urls }, [pipe.port2]);
        });
      });
    }).catch(function () { return false; });
  }

  root.DudaoOffline = { prepare: prepare };
})(this);
