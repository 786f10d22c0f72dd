/* congdanso — the service worker of offline session mode (version {{ version }}).
   It keeps the app shell (a page without personal data, its style and its scripts) and
   serves it for a session's address when the network is gone; the shell's script then runs
   session mode from the roster kept in IndexedDB. Every other request goes to the network
   as usual: nothing personal is cached here. */
"use strict";
var CACHE = "congdanso-shell-{{ version }}";
var SHELL = "{{ shell }}";
var ASSETS = {{ assets|safe }};
var SESSION_PAGE = /^\/chien-dich\/\d+\/buoi\/\d+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS.map(function (url) {
        return new Request(url, { credentials: "same-origin", cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("congdanso-shell-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && SESSION_PAGE.test(url.pathname)) {
    /* the network first: online, the page is the server's, as ever */
    event.respondWith(fetch(request).catch(function () {
      return caches.match(SHELL);
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0 && url.pathname !== SHELL) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});
