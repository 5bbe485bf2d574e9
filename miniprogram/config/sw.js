// The H5 app's service worker (#19), emitted as /sw.js by config/service-worker.ts with the build's
// file list. A cold start with no network opens the card page from the cache, and the page then
// shows its QR from the certificate it keeps (the offline code flow). It never touches /api (money,
// sessions and live data always go to the server), nor the backoffice under /admin.
const precache = '__PRECACHE__';
const cacheName = 'cc-h5-__VERSION__';
const page = new URL('index.html', self.registration.scope).href;
const precached = new Set(precache.map((url) => new URL(url, self.location.href).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(precache))
      .then(() => self.skipWaiting()),
  );
});

// The new build's cache replaces the old builds' ones, and the worker serves open pages at once.
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('cc-h5-') && k !== cacheName).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** The cached copy, else the network; a file fetched for the first time is kept for next time. */
async function cacheFirst(request) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** The page from the network when there is one (a new build shows at once), else the cached page. */
async function pageFirstFromNetwork(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match(page, { cacheName });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (/^\/(api|admin|__mock)(\/|$)/.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(pageFirstFromNetwork(request));
    return;
  }
  // The build's files (names carry their content hash) and the static images.
  if (precached.has(url.href) || /^\/(js|css|static)\//.test(url.pathname))
    event.respondWith(cacheFirst(request));
});
