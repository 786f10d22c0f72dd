/* congdanso — the site's only script. Every page works without it; it only makes some
   things faster on a phone. No library, no build step. Each part starts from a data-
   attribute in the page, so a page that has none of them runs nothing. */
"use strict";

/* Forms marked data-autosubmit submit when a select or date input changes. */
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.addEventListener("change", function () { form.requestSubmit(); });
});

/* --- search as you type --- */
/* A search form marked data-live-search="<id>" fetches its own page with ?partial=1 as the
   user types (250 ms after the last key) and swaps only the results list, element <id>.
   A slow answer that arrives after a newer one is dropped; on any failure the plain
   submit button still works. */
document.querySelectorAll("form[data-live-search]").forEach(function (form) {
  var input = form.querySelector("input[type=search]");
  var target = document.getElementById(form.getAttribute("data-live-search"));
  if (!input || !target || !window.fetch || !window.URLSearchParams) { return; }
  var timer = 0;
  var asked = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var query = new URLSearchParams(new FormData(form));
      var url = form.getAttribute("action") + "?" + query + "&partial=1";
      var ticket = ++asked;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
        .then(function (html) {
          if (ticket !== asked) { return; }
          target.innerHTML = html;
          window.history.replaceState(null, "", "?" + query);
        })
        .catch(function () { /* the form still submits without script */ });
    }, 250);
  });
});
/* --- end search as you type --- */
