// The KPPS app's service worker, served as /kpps/sw.js (scope /kpps/):
// the app opens where there is no signal. saksi-web prepends two
// constants to this file (crates/saksi-web/src/pages/service_worker.rs):
//   CACHE: "saksi-kpps-<hash of every static file and of this one>", so
//          every release whose files differ gets a cache of its own and
//          the browser, seeing a new worker, installs it;
//   SHELL: the app shell's URLs: /kpps/, the rules, the stylesheet and
//          every module the app imports (only files the server has).
//
// What it answers, for the pages it controls:
// - the /kpps/ page and GET /api/v1/forms/rules: the network's answer if
//   it comes within NETWORK_WAIT_MS (and the cache is refreshed with it),
//   else the cached one;
// - /static/ files: from the cache, which the install filled for this
//   release (a file not in it is fetched, and kept);
// - nothing else: no POST or PUT, no other /api/ request, and no other
//   site is ever answered from or kept in the cache (the outbox,
//   /static/js/queue.js, decides what to do when they fail).

const NETWORK_WAIT_MS = 4000;
const PREFIX = "saksi-kpps-";
const RULES = "/api/v1/forms/rules";
const PAGE = "/kpps/";

self.addEventListener("install", (event) => {
  // All or nothing: a shell with a file missing would fail offline, so a
  // failed install is retried by the browser at the next visit instead.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE || url.pathname === RULES) {
    event.respondWith(networkFirst(event, url.pathname));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  }
});

// The network's answer if it comes in time, else the copy kept under
// `key` (the page is kept without its query), else the network's answer
// or error whenever it comes. The refresh of the cache goes on after the
// cached copy has answered (waitUntil, called while the event is live).
function networkFirst(event, key) {
  const network = fetch(event.request).then(async (response) => {
    if (response.ok && !response.redirected) {
      const cache = await caches.open(CACHE);
      await cache.put(key, response.clone());
    }
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  return Promise.race([network, late(NETWORK_WAIT_MS)]).catch(
    async () => (await caches.match(key, { cacheName: CACHE })) ?? network,
  );
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

function late(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("the network is slow")), ms));
}
