/* The tablet's storage on the device (IndexedDB), in plain JavaScript.

   Stores:
     work   - one record per inspection (key: inspection id): answers, notes, photo
              references, the queued submission, the sync state and the last problem.
     photos - one record per photo (key: a local UUID): the resized Blob, its item, and
              the server's photo id once uploaded.
     meta   - small values (the CSRF token).
   Every change runs in one readwrite transaction, so two tabs never interleave. */
(function (root) {
  "use strict";

  var NAME = "dudao-tablet";
  var opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("work", { keyPath: "id" });
        var photos = db.createObjectStore("photos", { keyPath: "id" });
        photos.createIndex("inspection", "inspection");
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("IndexedDB blocked")); };
    });
    return opening;
  }

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function finished(tx, value) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(value.result); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error || new Error("aborted")); };
    });
  }

  function get(store, key) {
    return open().then(function (db) {
      return done(db.transaction(store).objectStore(store).get(key));
    });
  }

  function all(store) {
    return open().then(function (db) {
      return done(db.transaction(store).objectStore(store).getAll());
    });
  }

  function put(store, value, key) {
    return open().then(function (db) {
      var tx = db.transaction(store, "readwrite");
      var box = { result: value };
      if (key === undefined) tx.objectStore(store).put(value);
      else tx.objectStore(store).put(value, key);
      return finished(tx, box);
    });
  }

  /* Read-modify-write of one record in a single transaction: change(record or undefined)
     returns the new record (or undefined to leave it alone). Resolves to the stored record. */
  function update(store, key, change) {
    return open().then(function (db) {
      var tx = db.transaction(store, "readwrite");
      var objects = tx.objectStore(store);
      var box = { result: undefined };
      objects.get(key).onsuccess = function (event) {
        var current = event.target.result;
        var next = change(current);
        box.result = next === undefined ? current : next;
        if (next !== undefined) objects.put(next);
      };
      return finished(tx, box);
    });
  }

  function photosOf(inspectionId) {
    return open().then(function (db) {
      var index = db.transaction("photos").objectStore("photos").index("inspection");
      return done(index.getAll(inspectionId));
    });
  }

  function remove(store, key) {
    return open().then(function (db) {
      var tx = db.transaction(store, "readwrite");
      tx.objectStore(store).delete(key);
      return finished(tx, { result: true });
    });
  }

  /* JSON with sorted keys: two equal contents give the same text. */
  function stable(value) {
    if (Array.isArray(value)) return "[" + value.map(stable).join(",") + "]";
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) {
        return JSON.stringify(k) + ":" + stable(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var bytes = root.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  root.DudaoDB = {
    open: open, get: get, all: all, put: put, update: update, remove: remove,
    photosOf: photosOf, stable: stable, uuid: uuid,
  };
})(this);
