/**
 * Registers the H5 build's service worker (src/sw.js, built by Workbox) once the page has loaded, so
 * the card page and its code open on a cold start with no network (#19). Mini-programs keep their own
 * package.
 */
export function registerServiceWorker(): void {
  if (process.env.TARO_ENV !== 'h5' || typeof navigator === 'undefined' || !('serviceWorker' in navigator))
    return;
  const register = () => {
    navigator.serviceWorker.register(`${window.location.pathname.replace(/[^/]*$/, '')}sw.js`).catch(() => {
      // No worker (a private window, an insecure origin): the app works online as before.
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
