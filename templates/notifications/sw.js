{% autoescape off %}// Ouderportaal's service worker (served at /sw.js so that it covers the whole portal).
//
// It shows push messages and opens the portal when one is tapped. It keeps nothing personal on
// the device: pages, photos, videos and files are never stored by it; the only things in its
// cache are the offline page (no names, no children) and that page's stylesheet and icon,
// fetched without cookies. Every other request goes to the network as if there were no worker.
"use strict";

const CONFIG = {{ config }};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CONFIG.cache);
    for (const url of CONFIG.assets) {
      const response = await fetch(url, {cache: "reload", credentials: "omit", redirect: "error"});
      if (!response.ok) throw new Error(`offline asset ${url}: ${response.status}`);
      await cache.put(url, response);
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CONFIG.cache) await caches.delete(name);
    }
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate") {
    // A page: always from the network; only without a connection the offline page instead.
    event.respondWith((async () => {
      try {
        const preloaded = await event.preloadResponse;
        return preloaded || await fetch(request);
      } catch (error) {
        return (await caches.match(CONFIG.offline, {cacheName: CONFIG.cache})) || Response.error();
      }
    })());
  } else if (url.origin === self.location.origin && CONFIG.assets.includes(url.pathname)) {
    // The offline page's own stylesheet and icon: the network first, the cache when offline.
    event.respondWith(fetch(request).catch(async () =>
      (await caches.match(url.pathname, {cacheName: CONFIG.cache})) || Response.error()));
  }
});

// Only paths of this portal are opened; anything else opens the home page.
function portalPath(value) {
  try {
    const url = new URL(String(value || CONFIG.home), self.location.origin);
    if (url.origin !== self.location.origin) return CONFIG.home;
    return url.pathname + url.search + url.hash;
  } catch (error) {
    return CONFIG.home;
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const options = {
    body: typeof data.body === "string" ? data.body : "",
    data: {url: portalPath(data.url)},
    icon: CONFIG.icon,
  };
  if (data.tag) options.tag = String(data.tag);
  event.waitUntil(self.registration.showNotification(String(data.title || "Ouderportaal"), options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(portalPath(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    const same = windows.find((client) => client.url === target);
    if (same) return same.focus();
    const open = windows.find((client) => new URL(client.url).origin === self.location.origin && "navigate" in client);
    if (open) {
      try {
        await open.focus();
        const moved = await open.navigate(target);
        if (moved) return moved;
      } catch (error) {
        // not ours to steer (not controlled yet): open a new window instead
      }
    }
    return self.clients.openWindow(target);
  })());
});
{% endautoescape %}
