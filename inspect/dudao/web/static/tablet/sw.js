/* Dudao's service worker (served as /sw.js, scope "/"): keeps the tablet pages, the
   static files and the pinned definition versions for offline use.

   - pages under /inspect: network first, the cached copy when there is no network;
   - /static/: the cached copy at once, refreshed in the background;
   - /api/v1/definition-versions/<id>: cached for good (versions never change);
   - every other request (the rest of the API included) goes to the network untouched.
   Answers never live here: they are in IndexedDB (db.js). */
"use strict";

var CACHE = "dudao-tablet-v1";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("dudao-tablet-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

/* The last resort for a page neither stored nor reachable, in Chinese then English: /sw.js
   sets DUDAO_OFFLINE_PAGE after this script, from the translation catalogue
   (inspections/client_views.py). */
function offlinePage() {
  return new Response(self.DUDAO_OFFLINE_PAGE || "离线 · Offline", { status: 503, headers: {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'",
  } });
}

function keep(request, response) {
  if (!response || response.status !== 200 || response.redirected || response.type !== "basic") {
    return response;
  }
  var copy = response.clone();
  caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
  return response;
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.redirected && new URL(response.url).pathname === "/login") {
      // Signed out: forget the stored pages (they show the last inspector's work list).
      // The answers in IndexedDB are never touched here.
      return caches.delete(CACHE).then(function () { return response; });
    }
    return keep(request, response);
  })
    .catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (hit) {
        return hit || caches.match("/inspect").then(function (home) {
          return home || offlinePage();
        });
      });
    });
}

function cacheFirst(request, refresh) {
  return caches.match(request).then(function (hit) {
    var fresh = fetch(request).then(function (response) { return keep(request, response); });
    if (hit) {
      if (refresh) fresh.catch(function () { return null; });
      return hit;
    }
    return fresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  if (path.indexOf("/api/v1/definition-versions/") === 0) {
    event.respondWith(cacheFirst(request, false));
  } else if (path.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(request, true));
  } else if (path === "/inspect" || path.indexOf("/inspect/") === 0) {
    event.respondWith(networkFirst(request));
  }
});

/* The static files a stored page loads (its scripts, styles, icons): the list page does
   not load the checklist's own, and a checklist first opened offline needs them. */
function assetsOf(html) {
  var found = [], pattern = /\s(?:src|href)="(\/static\/[^"]+)"/g, match;
  while ((match = pattern.exec(html))) found.push(match[1].replace(/&amp;/g, "&"));
  return found;
}

/* Store one URL; resolves to [stored?, the static files it loads when it is a page]. */
function store(cache, url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (response.status !== 200 || response.redirected) return [false, []];
    var page = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
    var copy = page ? response.clone() : null;
    return cache.put(url, response).then(function () {
      return copy ? copy.text().then(function (html) { return [true, assetsOf(html)]; }) : [true, []];
    });
  }).catch(function () { return [false, []]; });
}

/* A page asks: keep these URLs (its assignments, their definitions, the shell), and the
   static files of the pages among them. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "precache") return;
  var port = event.ports && event.ports[0];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var unique = Array.from(new Set(data.urls || []));
    return Promise.all(unique.map(function (url) { return store(cache, url); })).then(function (first) {
      var more = [];
      first.forEach(function (r) { more = more.concat(r[1]); });
      more = Array.from(new Set(more)).filter(function (url) { return unique.indexOf(url) < 0; });
      return Promise.all(more.map(function (url) { return store(cache, url); })).then(function (second) {
        return first.concat(second).map(function (r) { return r[0]; });
      });
    });
  }).then(function (results) {
    var stored = results.filter(Boolean).length;
    if (port) port.postMessage({ stored: stored, failed: results.length - stored });
  }));
});
