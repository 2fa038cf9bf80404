// The installable app and web push. On every page: registers the service worker (/sw.js, scope
// the whole portal). On the notification settings page (templates/notifications/_push.html):
// shows whether this browser receives notifications and turns them on or off.
(function () {
  "use strict";
  var script = document.currentScript;
  var panel = document.querySelector("[data-push]");
  var swUrl = (panel && panel.dataset.swUrl) || (script && script.dataset.sw) || "/sw.js";
  var hasWorker = "serviceWorker" in navigator;
  var registration = hasWorker ? navigator.serviceWorker.register(swUrl, {scope: "/"}) : null;
  if (registration) registration.catch(function () { /* no offline page then; the portal works as before */ });
  rememberUrgentPhones();
  if (!panel) return;

  var status = panel.querySelector(".push-status");
  var form = panel.querySelector(".push-form");
  var button = panel.querySelector(".push-toggle");
  var nameField = panel.querySelector(".push-name");
  var nameInput = panel.querySelector("#push-device-name");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var key = panel.dataset.key;
  var subscribed = false;

  function text(name) { return panel.dataset[name] || ""; }

  function failure(message) {  // an error whose message the person may read (others: a general one)
    var error = new Error(message);
    error.readable = true;
    return error;
  }

  function say(message, kind) {
    status.hidden = false;
    status.textContent = message;
    status.className = "push-status" + (kind ? " " + kind : "");
  }

  var ua = navigator.userAgent;
  var isIOS = /iPhone|iPad|iPod/.test(ua) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);

  function guessName() {
    var browser = /Edg\//.test(ua) ? "Edge" : /OPR\//.test(ua) ? "Opera" : /SamsungBrowser/.test(ua) ? "Samsung Internet"
      : /Firefox\//.test(ua) ? "Firefox" : /(Chrome|CriOS)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "";
    var system = /iPhone/.test(ua) ? "iPhone" : /iPad/.test(ua) || isIOS ? "iPad" : /Android/.test(ua) ? "Android"
      : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "Mac" : /Linux/.test(ua) ? "Linux" : "";
    return [browser, system].filter(Boolean).join(" · ");
  }

  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameKey(subscription) {
    var current = subscription.options && subscription.options.applicationServerKey;
    if (!current) return true;
    var ours = keyBytes(key);
    var theirs = new Uint8Array(current);
    if (ours.length !== theirs.length) return false;
    for (var i = 0; i < ours.length; i += 1) if (ours[i] !== theirs[i]) return false;
    return true;
  }

  // The page lists the person's devices by a fingerprint of their endpoint (never the endpoint).
  function fingerprint(endpoint) {
    if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) return Promise.resolve(null);
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint)).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("").slice(0, 16);
    });
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok || response.redirected) throw failure(body.error || text("textError"));  // redirected: logged out
        return body;
      });
    });
  }

  function show(on) {
    subscribed = on;
    form.hidden = false;
    nameField.hidden = on || panel.hasAttribute("data-compact");  // the Today page's card: the name is guessed
    if (!on && !nameInput.value) nameInput.value = guessName();
    button.textContent = on ? text("labelOff") : text("labelOn");
    button.className = on ? "push-toggle" : "push-toggle primary";
    button.disabled = false;
    say(on ? text("textOn") : text("textOff"), on ? "on" : "");
    document.querySelectorAll(".this-device-push").forEach(function (note) {  // the settings per kind
      note.textContent = on ? text("textThisOn") : text("textThisOff");
      note.hidden = false;
    });
  }

  var supported = hasWorker && "PushManager" in window && "Notification" in window && !!key;
  if (!supported) {
    var standalone = window.navigator.standalone === true ||
      (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
    say(isIOS && !standalone ? text("textIos") : text("textUnsupported"));
    return;
  }
  if (Notification.permission === "denied") {
    say(text("textBlocked"), "error");
    return;
  }
  say(text("textChecking"));

  function currentSubscription() {
    return registration.then(function (reg) { return reg.pushManager.getSubscription(); });
  }

  function refresh() {
    return currentSubscription().then(function (subscription) {
      if (!subscription || !sameKey(subscription)) return show(false);
      return fingerprint(subscription.endpoint).then(function (hash) {
        var row = hash && panel.querySelector('[data-endpoint-hash="' + hash + '"]');
        // Not in the list: removed here, or the push service forgot it. Turning on sends it again.
        if (hash && !row) return show(false);
        if (row) row.querySelector(".this-device").hidden = false;
        show(true);
      });
    }).catch(function () { say(text("textError"), "error"); });
  }

  function turnOn() {
    return Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") throw failure(permission === "denied" ? text("textBlocked") : text("textDismissed"));
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (old) {
        if (old && !sameKey(old)) return old.unsubscribe();  // made with a key we no longer use
      }).then(function () {
        return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(key)});
      });
    }).then(function (subscription) {
      var data = subscription.toJSON();
      data.device_name = nameInput.value.trim() || guessName();
      return post(panel.dataset.subscribeUrl, data);
    });
  }

  function turnOff() {
    return currentSubscription().then(function (subscription) {
      if (!subscription) return null;
      return post(panel.dataset.unsubscribeUrl, {endpoint: subscription.endpoint}).then(function () {
        return subscription.unsubscribe();
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.click();
  });

  button.addEventListener("click", function () {
    button.disabled = true;
    say(text("textWorking"));
    (subscribed ? turnOff() : turnOn()).then(function () {
      window.location.reload();  // the list of devices changed
    }, function (error) {
      button.disabled = false;
      say(error && error.readable ? error.message : text("textError"), "error");
    });
  });

  refresh();

  // The offline page shows the family's location phone numbers: the Today page leaves them on
  // this device; logging out (any page without a login) takes them away again.
  function rememberUrgentPhones() {
    try {
      if (!document.body || !document.body.hasAttribute("data-logged-in")) {
        window.localStorage.removeItem("ouderportaal.urgent");
        return;
      }
      var line = document.querySelector("[data-urgent-phones]");
      if (!line) return;
      var phones = Array.prototype.map.call(line.querySelectorAll("a.phone"), function (link) {
        return {name: link.dataset.name || "", phone: link.dataset.phone || "", link: link.getAttribute("href")};
      });
      window.localStorage.setItem("ouderportaal.urgent", JSON.stringify(phones));
    } catch (error) { /* storage may be off: the offline page then simply says to call the location */ }
  }
})();
