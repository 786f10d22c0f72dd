/* congdanso — the site's only script. Every page works without it; it only makes some
   things faster on a phone. No library, no build step. Each part starts from a data-
   attribute in the page, so a page that has none of them runs nothing. */
"use strict";

/* Forms marked data-autosubmit submit when a select or date input changes. */
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.addEventListener("change", function () { form.requestSubmit(); });
});

/* "Chưa gửi: N" on every page: writes made without network still on this phone (offline.js
   keeps their count). Log-out asks first when some are unsent, then erases the roster and
   the outbox kept on the phone (the server's answer clears them too: Clear-Site-Data). */
(function () {
  var unsent = 0;
  try { unsent = Number(window.localStorage.getItem("congdanso.outbox") || 0); } catch (e) { /* none */ }
  document.querySelectorAll("[data-outbox-badge]").forEach(function (badge) {
    badge.hidden = !unsent;
    var count = badge.querySelector("[data-outbox-count]");
    if (count) { count.textContent = String(unsent); }
  });
  document.querySelectorAll("form.site-logout").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var question = (form.getAttribute("data-unsent") || "").replace("{n}", String(unsent));
      if (unsent && !window.confirm(question)) { event.preventDefault(); return; }
      try { window.localStorage.removeItem("congdanso.outbox"); } catch (e) { /* none */ }
      if (window.indexedDB) { window.indexedDB.deleteDatabase("congdanso"); }
    });
  });
})();

/* --- search as you type --- */
/* A search form marked data-live-search="<id>" posts itself with ?partial=1 as the user
   types (250 ms after the last key) and swaps only the results list, element <id>. It
   posts (with the form's CSRF token) so that no number typed lands in a URL or the
   history. A run of digits is only sent when it can find somebody — exactly the last 4
   digits, or a whole number (9 digits or more); otherwise the form's data-digits-hint is
   shown. A slow answer that arrives after a newer one is dropped; on any failure the
   plain submit button still works. */
document.querySelectorAll("form[data-live-search]").forEach(function (form) {
  var input = form.querySelector("input[type=search]");
  var target = document.getElementById(form.getAttribute("data-live-search"));
  if (!input || !target || !window.fetch || !window.FormData) { return; }
  var timer = 0;
  var asked = 0;
  function hint(text) {
    var p = document.createElement("p");
    p.className = "muted";
    p.textContent = text;
    target.replaceChildren(p);
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var compact = input.value.replace(/[\s.\-()+]/g, "");
      var ticket = ++asked;
      if (/^\d+$/.test(compact) && compact.length !== 4 && compact.length < 9) {
        hint(form.getAttribute("data-digits-hint") || "");
        return;
      }
      fetch(form.getAttribute("action") + "?partial=1", {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      })
        .then(function (response) {
          /* 429 (too many searches) comes with its message as the list */
          return response.ok || response.status === 429 ? response.text() : Promise.reject();
        })
        .then(function (html) {
          if (ticket !== asked) { return; }
          target.innerHTML = html;
        })
        .catch(function () { /* the form still submits without script */ });
    }, 250);
  });
});
/* --- end search as you type --- */
