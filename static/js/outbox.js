// Messages written without a connection. A reply that cannot reach the portal is kept on this
// phone (localStorage, "ouderportaal.outbox") with the idempotency key its form was given, and
// sent again as soon as the browser is back online, or the next time any page of the portal
// is opened. The server keeps one message per key, so a message whose answer got lost on the
// way is never stored twice, however often it is sent.
//
// Each kept message belongs to the person who wrote it (data-outbox-owner on <body>): another
// person logged in on the same phone never sends it. Logging out removes what is kept.
(function () {
  "use strict";
  var STORE = "ouderportaal.outbox";
  var owner = document.body ? document.body.getAttribute("data-outbox-owner") : null;
  var listeners = [];
  var sentListeners = [];
  var sending = false;

  function read() {
    try {
      var items = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(items) ? items.filter(function (item) { return item && typeof item.key === "string"; }) : [];
    } catch (error) {
      return [];
    }
  }

  function write(items) {
    try {
      if (items.length) window.localStorage.setItem(STORE, JSON.stringify(items));
      else window.localStorage.removeItem(STORE);
      return true;
    } catch (error) {
      return false;  // private mode or a full storage: the caller says it could not be kept
    }
  }

  function changed() {
    listeners.forEach(function (listener) { listener(); });
  }

  function token() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Only paths of this portal, never another site.
  function samePath(url) {
    try {
      var parsed = new URL(url, window.location.origin);
      return parsed.origin === window.location.origin ? parsed.pathname : null;
    } catch (error) {
      return null;
    }
  }

  var outbox = {
    owner: owner,
    // The messages this person still has to send, for one conversation (its path) or all.
    pending: function (path) {
      return read().filter(function (item) {
        return item.owner === owner && (!path || item.path === path);
      });
    },
    keep: function (path, key, body) {
      var items = read().filter(function (item) { return item.key !== key; });
      items.push({owner: owner, path: path, key: key, body: body, at: new Date().toISOString()});
      var kept = write(items);
      changed();
      return kept;
    },
    forget: function (key) {
      write(read().filter(function (item) { return item.key !== key; }));
      changed();
    },
    onChange: function (listener) { listeners.push(listener); },
    onSent: function (listener) { sentListeners.push(listener); },
    // Send one message now: resolves "sent", "refused" (the portal answered with an error: the
    // text stays, marked, for the writer to see) or "offline" (no answer: it stays to be sent).
    send: function (item) {
      var path = samePath(item.path);
      var csrf = token();
      if (!path || !csrf) return Promise.resolve("offline");
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf);
      data.append("key", item.key);
      data.append("body", item.body);
      return fetch(path, {method: "POST", body: data, credentials: "same-origin", redirect: "follow"})
        .then(function (response) {
          if (response.ok && response.redirected) return "sent";
          if (response.status >= 500) return "offline";  // try again later
          return response.text().then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var error = doc.querySelector("#reply .error, .notice p");
            item.error = error ? error.textContent.trim() : String(response.status);
            write(read().map(function (other) { return other.key === item.key ? item : other; }));
            return "refused";
          });
        }, function () { return "offline"; });
    },
    // Send everything this person kept, one at a time, oldest first.
    flush: function () {
      if (sending || !navigator.onLine || !owner) return Promise.resolve();
      var items = outbox.pending().filter(function (item) { return !item.error; });
      if (!items.length) return Promise.resolve();
      sending = true;
      var sent = 0;
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          return outbox.send(item).then(function (result) {
            if (result === "sent") { sent += 1; outbox.forget(item.key); }
            else changed();
          });
        });
      });
      return chain.then(function () {
        sending = false;
        if (sent) sentListeners.forEach(function (listener) { listener(sent); });
      }, function () { sending = false; });
    },
  };
  window.ouderportaalOutbox = outbox;

  if (!owner) return;
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      write(read().filter(function (item) { return item.owner !== owner; }));
    });
  });
  window.addEventListener("online", function () { outbox.flush(); });
  document.addEventListener("DOMContentLoaded", function () { outbox.flush(); });
})();
