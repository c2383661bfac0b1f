// hoadon's service worker: keeps the app shell so the app opens with no connection.
// app/build fills in the version and the list of hashed assets; a new build is a new cache.
// Hashed assets never change, so they are served from the cache first. Pages (any navigation,
// including deep links such as /drafts/<id>) try the network and fall back to the cached app.
// The API is never cached here: drafts and catalogs are kept by the app in IndexedDB.
const CACHE = "hoadon-shell-{{version}}";
const ASSETS = [{{assets}}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(["/index.html", ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hoadon-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (req.mode === "navigate") {
    event.respondWith(
      fetch(req)
        .then((resp) => {
          if (resp.ok) {
            const copy = resp.clone();
            caches.open(CACHE).then((c) => c.put("/index.html", copy));
          }
          return resp;
        })
        .catch(() => caches.match("/index.html", { cacheName: CACHE })));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: CACHE }).then((hit) => hit || fetch(req)));
});
