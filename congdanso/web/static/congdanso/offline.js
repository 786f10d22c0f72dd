/* congdanso — session mode with no network (loaded by the session page and the app shell).

   On the session page, online: "Keep the list for use without network" registers the
   service worker (it keeps the app shell) and stores the session's roster in IndexedDB,
   with the day. The roster holds no whole CCCD or phone: masked numbers and their last four
   digits.

   In the app shell, which the service worker serves for a session's address when the
   network is gone: search the roster as you type (whole syllables first, then the start of
   one, then the session's village), open a person, tick a criterion, "+1" a person not in
   the list — each write queued in the outbox with its own UUID, the session, the day and
   nothing else. A card's QR code pasted or scanned into the box is matched by folded name
   and birth year, confirmed by the last four digits of its number; its whole number goes
   only into the outbox item, and leaves the phone once sent.

   Whenever the network is there (and on "Send now"), the outbox goes to /api/v1/batch with
   the signed-in session and a fresh CSRF token; the server applies each write once by its
   UUID, so a sync cut off half-way is simply sent again. Sent and already-recorded items
   leave the outbox; a refused one stays, with the server's reason, until dismissed — it is
   never sent again blindly. "Chưa gửi: N" shows on every page (site.js reads the count). */
"use strict";

(function () {
  var DB = "congdanso";
  var COUNT_KEY = "congdanso.outbox";
  var SESSION_PATH = /^\/chien-dich\/(\d+)\/buoi\/(\d+)\/$/;
  var PAGE = 10;

  /* --- storage ------------------------------------------------------------------------ */
  var opened = null;  /* one connection per page, let go when the database is to be erased */
  function open() {
    if (opened) { return opened; }
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("rosters", { keyPath: "session.id" });
        db.createObjectStore("outbox", { keyPath: "client_uuid" });
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); opened = null; };
        db.onclose = function () { opened = null; };
        resolve(db);
      };
      request.onerror = function () { opened = null; reject(request.error); };
    });
    return opened;
  }
  function tx(stores, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode);
        var result = work(typeof stores === "string" ? t.objectStore(stores) : t);
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function getRoster(id) { return tx("rosters", "readonly", function (s) { return s.get(Number(id)); }); }
  function putRoster(roster) { return tx("rosters", "readwrite", function (s) { s.put(roster); }); }
  function dropRoster(id) { return tx("rosters", "readwrite", function (s) { s.delete(Number(id)); }); }
  function outbox() { return tx("outbox", "readonly", function (s) { return s.getAll(); }); }
  function putItem(item) { return tx("outbox", "readwrite", function (s) { s.put(item); }); }
  function dropItem(uuid) { return tx("outbox", "readwrite", function (s) { s.delete(uuid); }); }
  /* a criterion reached, as the roster's bit mask over the campaign's criteria */
  function markDone(roster, residentId, code) {
    var index = roster.criteria.findIndex(function (c) { return c[0] === code; });
    if (index < 0) { return; }
    var idAt = roster.fields.indexOf("id");
    var doneAt = roster.fields.indexOf("done");
    roster.people.forEach(function (p) { if (p[idAt] === residentId) { p[doneAt] = p[doneAt] | (1 << index); } });
  }
  function counted() {
    return outbox().then(function (items) {
      var waiting = items.filter(function (i) { return i.state !== "refused"; }).length;
      try { localStorage.setItem(COUNT_KEY, String(items.length)); } catch (e) { /* private mode */ }
      document.querySelectorAll("[data-outbox-count]").forEach(function (el) { el.textContent = String(items.length); });
      document.querySelectorAll("[data-outbox-badge]").forEach(function (el) {
        el.hidden = items.length === 0;
        var n = el.querySelector("[data-outbox-count]");
        if (n) { n.textContent = String(items.length); }
      });
      return { items: items, waiting: waiting };
    });
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* --- text: the server's fold (congdanso.vn.fold) ------------------------------------ */
  var INVISIBLE = /[\u200b-\u200f\u2060\ufeff\u061c\u202a-\u202e\u2066-\u2069]/g;
  function fold(text) {
    return text.normalize("NFD").toLowerCase().replace(/[đð]/g, "d").replace(/[\u0300-\u036f]/g, "")
      .replace(INVISIBLE, "").replace(/[\u2019\u2018`\u00b4\u02bc\u02bb\u2032]/g, "'")
      .split(/\s+/).filter(Boolean).join(" ");
  }

  /* --- sync ----------------------------------------------------------------------------- */
  var syncing = null;
  function token(app) {
    return fetch(app.getAttribute("data-csrf"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) { return body.token; })
      .catch(function () { return app.getAttribute("data-token"); });
  }
  /* The server's answers, kept in one transaction: sent and already-recorded items leave the
     outbox (a card's number leaves the phone with them) and the kept roster learns the
     criteria they reached; refused ones stay, with the reason, and are never sent again. */
  function settle(results, sent, shown) {
    var byId = {};
    sent.forEach(function (i) { byId[i.client_uuid] = i; });
    var reached = {};
    return tx(["outbox", "rosters"], "readwrite", function (t) {
      var store = t.objectStore("outbox");
      results.forEach(function (result) {
        var item = byId[result.client_uuid];
        if (!item || result.status >= 500) { return; }  /* the server failed: later */
        if (result.status < 300) {
          var already = result.replayed || result.result.created === false;
          if (shown) { shown(item, already ? "already" : "sent"); }
          store.delete(item.client_uuid);
          if (item.operation === "turn.record" && item.data.criterion) {
            (reached[item.data.session_id] = reached[item.data.session_id] || []).push(item.data);
          }
          return;
        }
        item.state = "refused";
        item.reason = (result.result && result.result.message) || String(result.status);
        item.data.cccd = "";
        store.put(item);
      });
      var rosters = t.objectStore("rosters");
      Object.keys(reached).forEach(function (id) {
        var request = rosters.get(Number(id));
        request.onsuccess = function () {
          var roster = request.result;
          if (!roster) { return; }
          reached[id].forEach(function (d) { markDone(roster, d.resident_id, d.criterion); });
          rosters.put(roster);
        };
      });
    });
  }
  function send(app, csrf, shown) {
    return outbox().then(function (items) {
      var pending = items.filter(function (i) { return i.state === "pending"; })
        .sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; }).slice(0, 500);
      if (!pending.length) { return null; }
      return fetch(app.getAttribute("data-batch"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ writes: pending.map(function (i) {
          return { client_uuid: i.client_uuid, operation: i.operation, data: i.data };
        }) })
      }).then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      }).then(function (body) {
        return settle(body.results, pending, shown);
      }).then(function () {
        return pending.length === 500 ? send(app, csrf, shown) : null;
      });
    });
  }
  function sync(app, shown) {
    if (syncing) { return syncing; }
    if (!navigator.onLine) { return Promise.resolve(null); }
    syncing = outbox().then(function (items) {
      if (!items.some(function (i) { return i.state === "pending"; })) { return null; }
      return token(app).then(function (csrf) { return send(app, csrf, shown); });
    }).catch(function () { return null; })  /* the network went: the items wait */
      .then(function (r) { syncing = null; return counted().then(function () { return r; }); });
    return syncing;
  }

  /* --- the session page, online: keep the roster ---------------------------------------- */
  function sessionPage(box) {
    var say = box.querySelector("[data-offline-status]");
    var button = box.querySelector("[data-offline-keep]");
    var sessionId = box.getAttribute("data-session");
    counted();
    getRoster(sessionId).then(function (roster) {
      if (roster) { say.textContent = box.getAttribute("data-say-kept").replace("{n}", roster.people.length); }
    }).catch(function () { /* no IndexedDB: the button says it */ });
    button.addEventListener("click", function () {
      say.textContent = box.getAttribute("data-say-loading");
      var worker = navigator.serviceWorker ?
        navigator.serviceWorker.register(box.getAttribute("data-sw"), { scope: "/" }).then(function () {
          return navigator.serviceWorker.ready;
        }) : Promise.reject(new Error("no service worker"));
      worker.then(function () {
        return fetch(box.getAttribute("data-roster"), { credentials: "same-origin" });
      }).then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      }).then(function (roster) {
        roster.kept_on = today();
        return putRoster(roster).then(function () { return roster; });
      }).then(function (roster) {
        if (navigator.storage && navigator.storage.persist) { navigator.storage.persist(); }
        say.textContent = box.getAttribute("data-say-kept").replace("{n}", roster.people.length);
      }).catch(function () { say.textContent = box.getAttribute("data-say-failed"); });
    });
    if (navigator.onLine) { sync(box); }
    window.addEventListener("online", function () { sync(box); });
  }

  /* --- the app shell, offline: session mode from the roster ------------------------------ */
  function shell(app) {
    var words = app.querySelector("[data-say]").dataset;
    var match = SESSION_PATH.exec(location.pathname);
    var state = app.querySelector("[data-offline-state]");
    var results = app.querySelector("[data-offline-results]");
    var personBox = app.querySelector("[data-offline-person]");
    var box = app.querySelector("#offline-q");
    var undoBox = app.querySelector("[data-offline-undo]");
    var roster = null;
    var keys = [];  /* each person's folded name, padded with spaces, in the roster's order */
    var person = null;
    var lastTick = null;
    var recent = [];  /* what this sync sent, shown under the outbox until the page goes */
    if (!match) { state.textContent = words.none; return; }
    var sessionId = Number(match[2]);

    function network() { state.textContent = navigator.onLine ? words.online : words.offline; }
    function masked(head, last4, size) {
      return head ? head + "*".repeat(size - head.length - 4) + last4 : "";
    }
    function facts(p, matched) {
      var f = fields(p);
      var parts = [];
      if (f.birth_year) { parts.push(f.birth_year); }
      if (f.village && roster.villages[f.village]) { parts.push(roster.villages[f.village]); }
      if (f.phone_head) { parts.push(words.phone + " " + masked(f.phone_head, f.phone_last4, 10)); }
      if (f.cccd_head) { parts.push("CCCD " + masked(f.cccd_head, f.cccd_last4, 12)); }
      return parts.join(" · ") + (matched ? " · " + matched : "");
    }
    function fields(p) {
      var f = {};
      roster.fields.forEach(function (name, i) { f[name] = p[i]; });
      return f;
    }
    /* Every typed fragment must be in the name; a whole syllable scores 2, the start of one
       1. Best score first, then the session's village, then the roster's order (name, id):
       people go into buckets by score and village, kept to a page each — no sort. */
    function find(text) {
      var compact = text.replace(/[\s.\-()+]/g, "");
      var found = [];
      if (/^\d+$/.test(compact)) {
        if (compact.length !== 4 && compact.length < 9) { return { hint: words.digits }; }
        var last4 = compact.slice(-4);
        var cccdAt = roster.fields.indexOf("cccd_last4");
        var phoneAt = roster.fields.indexOf("phone_last4");
        for (var n = 0; n < roster.people.length && found.length < PAGE; n++) {
          var q = roster.people[n];
          if (q[cccdAt] === last4 || q[phoneAt] === last4) {
            found.push({ p: q, matched: (q[cccdAt] === last4 ? "CCCD …" : words.phone + " …") + last4 });
          }
        }
        return { rows: found };
      }
      var fragments = fold(text).split(" ").filter(Boolean);
      var whole = fragments.map(function (f) { return " " + f + " "; });
      var starts = fragments.map(function (f) { return " " + f; });
      var top = 2 * fragments.length;
      var buckets = [];
      for (var b = 0; b < 2 * (top + 1); b++) { buckets.push([]); }
      var place = roster.session.place_id;
      var people = roster.people;
      for (var i = 0; i < people.length; i++) {
        var key = keys[i];
        var score = 0;
        for (var k = 0; k < fragments.length; k++) {
          if (key.indexOf(fragments[k]) < 0) { score = -1; break; }
          if (key.indexOf(whole[k]) >= 0) { score += 2; } else if (key.indexOf(starts[k]) >= 0) { score += 1; }
        }
        if (score < 0) { continue; }
        var bucket = buckets[2 * (top - score) + (people[i][4] === place ? 0 : 1)];
        if (bucket.length < PAGE) { bucket.push({ p: people[i] }); }
      }
      for (var c = 0; c < buckets.length && found.length < PAGE; c++) {
        found = found.concat(buckets[c].slice(0, PAGE - found.length));
      }
      return { rows: found };
    }
    function card(text) {
      var parts = text.trim().split("|");
      if (parts.length < 7 || !/^\d{12}$/.test(parts[0].trim())) { return null; }
      var born = parts[3].trim();
      return { cccd: parts[0].trim(), name: parts[2].trim(), key: fold(parts[2]),
               year: born.length >= 4 ? Number(born.slice(-4)) : null };
    }
    function rowElement(hit) {
      var li = document.createElement("li");
      var a = document.createElement("button");
      a.type = "button";
      a.className = "person-row person-row-button";
      var name = document.createElement("span");
      name.className = "person-name";
      name.textContent = hit.p[1];
      var more = document.createElement("span");
      more.className = "person-facts";
      more.textContent = facts(hit.p, hit.matched);
      a.append(name, more);
      a.addEventListener("click", function () { openPerson(hit.p); });
      li.append(a);
      return li;
    }
    function show(text) {
      results.replaceChildren();
      if (!text.trim()) { return; }
      var scanned = card(text);
      if (scanned) {
        box.value = "";
        var hits = roster.people.filter(function (p) {
          var f = fields(p);
          return p[2] === scanned.key && (!scanned.year || f.birth_year === scanned.year) &&
            (!f.cccd_last4 || f.cccd_last4 === scanned.cccd.slice(-4));
        });
        if (hits.length === 1) { openPerson(hits[0]); return; }
        var note = document.createElement("p");
        note.className = "field-empty";
        note.textContent = words.card;
        results.append(note);
        app.querySelector("#offline-nc-name").value = scanned.name;
        app.querySelector("#offline-nc-year").value = scanned.year || "";
        app.querySelector("[data-offline-newcomer]").open = true;
        app.dataset.card = scanned.cccd;  /* into the +1's outbox item only */
        return;
      }
      if (text.indexOf("|") >= 0 || /^https?:\/\//i.test(text)) {
        results.append(Object.assign(document.createElement("p"), { className: "field-empty", textContent: words.notcard }));
        return;
      }
      var found = find(text);
      if (found.hint) {
        results.append(Object.assign(document.createElement("p"), { className: "muted", textContent: found.hint }));
        return;
      }
      if (!found.rows.length) {
        results.append(Object.assign(document.createElement("p"), { className: "field-empty", textContent: words.nobody }));
        return;
      }
      var list = document.createElement("ul");
      list.className = "person-list";
      found.rows.forEach(function (hit) { list.append(rowElement(hit)); });
      results.append(list);
    }
    function openPerson(p) {
      person = p;
      var f = fields(p);
      personBox.hidden = false;
      personBox.querySelector(".person-name").textContent = p[1];
      personBox.querySelector(".person-facts").textContent = facts(p);
      var ticks = personBox.querySelector("[data-offline-ticks]");
      ticks.replaceChildren();
      roster.criteria.forEach(function (criterion, i) {
        if (f.done & (1 << i)) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button-tick";
        button.textContent = criterion[1] + " — " + words.done;
        button.addEventListener("click", function () { tick(i); });
        ticks.append(button);
      });
      results.replaceChildren();
      personBox.scrollIntoView({ block: "start" });
    }
    function tick(index) {
      var criterion = roster.criteria[index];
      var item = {
        client_uuid: uuid(), operation: "turn.record", state: "pending",
        data: { session_id: sessionId, resident_id: person[0], criterion: criterion[0] },
        label: person[1] + " — " + criterion[1], session: sessionId, created_at: new Date().toISOString()
      };
      var doneAt = roster.fields.indexOf("done");
      person[doneAt] = person[doneAt] | (1 << index);
      lastTick = { item: item, person: person, index: index };
      putItem(item).then(function () {
        undoBox.hidden = false;
        undoBox.querySelector("span").textContent = words.recorded + ": " + item.label;
        openPerson(person);
        tally();
        if (navigator.onLine) { sync(app, shown).then(tally); }
      });
    }
    function undo() {
      if (!lastTick) { return; }
      var t = lastTick;
      lastTick = null;
      undoBox.hidden = true;
      outbox().then(function (items) {
        var still = items.some(function (i) { return i.client_uuid === t.item.client_uuid && i.state === "pending"; });
        if (!still) { return null; }  /* sent already: the session page's "Hoàn tác" takes it back */
        var doneAt = roster.fields.indexOf("done");
        t.person[doneAt] = t.person[doneAt] & ~(1 << t.index);
        return dropItem(t.item.client_uuid);
      }).then(function () { tally(); if (person) { openPerson(person); } });
    }
    function plusOne() {
      var name = app.querySelector("#offline-nc-name");
      var year = app.querySelector("#offline-nc-year");
      var phone = app.querySelector("#offline-nc-phone");
      var data = { session_id: sessionId, full_name: name.value.trim(), phone: phone.value.trim(), cccd: app.dataset.card || "" };
      if (year.value) { data.birth_year = Number(year.value); }
      var item = { client_uuid: uuid(), operation: "session.newcomer", state: "pending", data: data,
                   label: words.plus + (data.full_name ? ": " + data.full_name : ""), session: sessionId,
                   created_at: new Date().toISOString() };
      delete app.dataset.card;
      name.value = ""; year.value = ""; phone.value = "";
      app.querySelector("[data-offline-newcomer]").open = false;
      putItem(item).then(function () { tally(); if (navigator.onLine) { sync(app, shown).then(tally); } });
    }
    function tally() {
      return counted().then(function (c) {
        app.querySelector("[data-offline-count]").textContent = String(c.items.filter(function (i) {
          return i.session === sessionId;
        }).length);
        var list = app.querySelector("[data-outbox-list]");
        list.replaceChildren();
        c.items.forEach(function (item) {
          var li = document.createElement("li");
          li.className = "outbox-" + item.state;
          li.textContent = item.label + " · " + (item.state === "refused" ? words.refused + ": " + item.reason : words.waiting);
          if (item.state === "refused") {
            var dismiss = document.createElement("button");
            dismiss.type = "button";
            dismiss.className = "button-undo";
            dismiss.textContent = words.dismiss;
            dismiss.addEventListener("click", function () { dropItem(item.client_uuid).then(tally); });
            li.append(dismiss);
          }
          list.append(li);
        });
        recent.forEach(function (done) {
          var li = document.createElement("li");
          li.className = "outbox-" + done.how;
          li.textContent = done.label + " · " + (done.how === "already" ? words.already : words.sent);
          list.append(li);
        });
      });
    }
    function shown(item, how) {
      recent.unshift({ label: item.label, how: how });
      recent = recent.slice(0, 50);
    }

    getRoster(sessionId).then(function (kept) {
      if (!kept) { state.textContent = words.none; return; }
      if (kept.session.date < today() && kept.kept_on < today()) {
        return dropRoster(sessionId).then(function () { state.textContent = words.old; });
      }
      roster = kept;
      roster.people.sort(function (a, b) { return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : a[0] - b[0]; });
      keys = roster.people.map(function (p) { return " " + p[2] + " "; });
      outbox().then(function (items) {  /* ticks not sent yet are done on this phone */
        var byId = {};
        roster.people.forEach(function (p) { byId[p[0]] = p; });
        var doneAt = roster.fields.indexOf("done");
        items.forEach(function (i) {
          if (i.state !== "pending" || i.operation !== "turn.record" || i.session !== sessionId) { return; }
          var index = roster.criteria.findIndex(function (c) { return c[0] === i.data.criterion; });
          var p = byId[i.data.resident_id];
          if (p && index >= 0) { p[doneAt] = p[doneAt] | (1 << index); }
        });
      });
      app.querySelector("[data-offline-title]").textContent = kept.session.place + " " +
        kept.session.date.split("-").reverse().join("/");
      network();
      tally();
      var timer = 0;
      box.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { show(box.value); }, 60);
      });
      app.querySelector("[data-offline-search]").addEventListener("submit", function (event) {
        event.preventDefault();
        show(box.value);
      });
      app.querySelector("[data-offline-next]").addEventListener("click", function () {
        person = null;
        personBox.hidden = true;
        box.value = "";
        results.replaceChildren();
        box.focus();
      });
      undoBox.querySelector("button").addEventListener("click", undo);
      app.querySelector("[data-offline-plus]").addEventListener("click", plusOne);
      app.querySelector("[data-offline-sync]").addEventListener("click", function () { sync(app, shown).then(tally); });
      window.addEventListener("online", function () { network(); sync(app, shown).then(tally); });
      window.addEventListener("offline", network);
      if (navigator.onLine) { sync(app, shown).then(tally); }
      box.focus();
    }).catch(function () { state.textContent = words.none; });
  }

  var app = document.querySelector("[data-offline-app]");
  if (app && window.indexedDB) { shell(app); }
  var box = document.querySelector("[data-offline-session]");
  if (box && window.indexedDB) { sessionPage(box); }
  /* for the browser tests and the benchmark: the same search the shell runs */
  window.congdansoFold = fold;
})();
