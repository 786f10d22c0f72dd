/* congdanso — the camera scan screen of field mode (loaded by that page only).
   It reads the QR code of a CCCD card from the phone's camera and posts its text to the
   search (or session) page, which finds the person. The browser's BarcodeDetector reads the
   code where it knows QR codes; elsewhere jsQR (vendor/, loaded from this page only) reads
   frames drawn into a canvas. Nothing is kept: the text goes once, in a POST body. Without
   a camera (an in-app browser, no permission) the page says so and the photo form below
   it still works. */
"use strict";

(function () {
  var page = document.querySelector("[data-scan]");
  if (!page) { return; }
  var video = page.querySelector("video");
  var status = page.querySelector("[data-scan-status]");
  var form = page.querySelector("form[data-scan-form]");
  var field = form && form.querySelector("input[name=q]");
  var stream = null;
  var done = false;

  function say(key) { status.textContent = page.getAttribute("data-say-" + key) || ""; }

  function found(text) {
    if (done || !text) { return; }
    done = true;
    say("found");
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    field.value = text;
    form.requestSubmit();
  }

  function withDetector(detector) {
    (function look() {
      if (done) { return; }
      detector.detect(video).then(function (codes) {
        if (codes.length) { found(codes[0].rawValue); } else { setTimeout(look, 200); }
      }).catch(function () { setTimeout(look, 400); });
    })();
  }

  function withJsQr() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    (function look() {
      if (done) { return; }
      if (video.readyState >= 2 && video.videoWidth) {
        var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
        if (code && code.data) { found(code.data); return; }
      }
      setTimeout(look, 250);
    })();
  }

  function loadJsQr(then) {
    if (window.jsQR) { then(); return; }
    var script = document.createElement("script");
    script.src = page.getAttribute("data-jsqr");
    script.onload = then;
    script.onerror = function () { say("nodecoder"); };
    document.head.appendChild(script);
  }

  function decode() {
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) {
          withDetector(new window.BarcodeDetector({ formats: ["qr_code"] }));
        } else { loadJsQr(withJsQr); }
      }).catch(function () { loadJsQr(withJsQr); });
    } else { loadJsQr(withJsQr); }
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !form || !video) {
    say("nocamera");
    return;
  }
  say("starting");
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
    .then(function (got) {
      stream = got;
      video.srcObject = got;
      return video.play();
    })
    .then(function () { say("looking"); decode(); })
    .catch(function () { say("nocamera"); });
})();
