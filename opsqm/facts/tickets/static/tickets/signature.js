// Signature pad: draw with a finger, a pen or the mouse on <canvas data-signature-pad>
// (pointer events, no library, no CDN).  On submit the drawing goes as a PNG data URL
// in <input data-signature-value>; an empty pad blocks the submit.
(function () {
  "use strict";
  function setup(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var input = form.querySelector("[data-signature-value]");
    var empty = form.querySelector("[data-signature-empty]");
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false, last = null;
    function resize() {
      var ratio = window.devicePixelRatio || 1;
      var r = canvas.getBoundingClientRect();
      var keep = inked ? canvas.toDataURL("image/png") : null;
      canvas.width = Math.round(r.width * ratio);
      canvas.height = Math.round(r.height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#000";
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, r.width, r.height);
      if (keep) { var img = new Image(); img.onload = function () { ctx.drawImage(img, 0, 0, r.width, r.height); }; img.src = keep; }
    }
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      drawing = true; last = point(e);
      if (canvas.setPointerCapture) { canvas.setPointerCapture(e.pointerId); }
      ctx.beginPath(); ctx.arc(last.x, last.y, 1, 0, 2 * Math.PI); ctx.fillStyle = "#000"; ctx.fill();
      inked = true;
      if (empty) { empty.hidden = true; }  // a stroke answers "please sign first"
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      e.preventDefault();
      var p = point(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; inked = true;
    });
    function stop() { drawing = false; last = null; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      inked = false; resize(); input.value = "";
    });
    form.addEventListener("submit", function (e) {
      if (!inked) { e.preventDefault(); if (empty) { empty.hidden = false; } return; }
      input.value = canvas.toDataURL("image/png");
    });
    window.addEventListener("resize", resize);
    resize();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signature-form]").forEach(setup);
  });
})();
