// The H5 app's service worker (#19), compiled by Workbox's InjectManifest (config/index.ts), which
// puts the build's file list with revisions in place of self.__WB_MANIFEST. A cold start with no
// network opens the card page from the precache, and the page then shows its QR from the certificate
// it keeps (the offline code flow). It never touches /api: money, sessions and live data always go to
// the server, and the app's offline reads (the card, the certificate) come from its own storage, not
// from cached answers. Nor the backoffice under /admin, nor the stand-ins under /__mock.
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, PrecacheFallbackPlugin, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkOnly } from 'workbox-strategies';

setCacheNameDetails({ prefix: 'campus-card' });

// A new build's worker takes over as soon as its precache is complete, and serves open pages at once:
// the app has no "new version" prompt, and the next navigation loads the new build from the network.
self.skipWaiting();
clientsClaim();

// Navigations first, so they are not answered by the precache route below: the page from the network
// when there is one (a new build shows at once), else the app shell this worker precached, whose
// code is precached beside it.
const serverOnly = /^\/(api|admin|__mock)(\/|$)/;
registerRoute(
  new NavigationRoute(
    new NetworkOnly({ plugins: [new PrecacheFallbackPlugin({ fallbackURL: '/index.html' })] }),
    { denylist: [serverOnly] },
  ),
);

// The page, its code, styles and images, each under its revision (none for content-hashed names); a
// new build's worker fetches what changed and drops what its list no longer has.
precacheAndRoute(self.__WB_MANIFEST);
// Caches of older Workbox versions' precache formats.
cleanupOutdatedCaches();

// Files left out of the precache (above its size limit: the statement's charts) are kept once fetched;
// their names carry their content hash, so a kept copy is never stale, only unused after a new build.
registerRoute(
  ({ url, request }) =>
    request.method === 'GET' &&
    url.origin === self.location.origin &&
    /^\/(js|css|static)\//.test(url.pathname),
  new CacheFirst({
    cacheName: 'campus-card-files',
    plugins: [
      new ExpirationPlugin({ maxEntries: 40, maxAgeSeconds: 30 * 24 * 3600, purgeOnQuotaError: true }),
    ],
  }),
);

// The hand-written worker this one replaced kept each build in a cache of its own (cc-h5-<version>).
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('cc-h5-')).map((k) => caches.delete(k)))),
  );
});
