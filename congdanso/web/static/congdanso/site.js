/* congdanso — the site's only script. Every page works without it; it only makes some
   things faster on a phone. No library, no build step. Each part starts from a data-
   attribute in the page, so a page that has none of them runs nothing. */
"use strict";

/* Forms marked data-autosubmit submit when a select or date input changes. */
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.addEventListener("change", function () { form.requestSubmit(); });
});

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
