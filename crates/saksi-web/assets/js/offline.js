// Makes the KPPS app open without a connection: registers its service
// worker, /kpps/sw.js, which keeps the app shell (the page, its styles and
// modules, the form rules) in the browser's cache for this release.
// Signed statements wait in the outbox (queue.js), not here.

// Registers the worker for /kpps/ and answers its registration, or null
// where the browser has no service workers (or refuses this one: the app
// then works online only, as it would without this module). The worker's
// script is always fetched from the server, never from the HTTP cache, so
// a new release is seen at the next visit.
export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    return await navigator.serviceWorker.register("/kpps/sw.js", { scope: "/kpps/", updateViaCache: "none" });
  } catch (e) {
    console.warn("the KPPS app's service worker was not registered:", e);
    return null;
  }
}
