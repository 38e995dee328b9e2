// Small behaviours that need no framework: menu toggle and drop-downs, live countdowns, printing
// collapsed sections.
(function () {
  "use strict";
  // The menu's drop-downs: a click opens one and closes the others; a click elsewhere
  // or Escape closes them all.
  function closeGroups(except) {
    document.querySelectorAll(".navgroup.open").forEach(function (g) {
      if (g === except) return;
      g.classList.remove("open");
      g.querySelector("[data-navgroup]").setAttribute("aria-expanded", "false");
    });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-navgroup]");
    var group = b ? b.parentElement : null;
    closeGroups(group);
    if (!group) return;
    var open = group.classList.toggle("open");
    b.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeGroups(null); });
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-toggle-nav]");
    if (!t) return;
    var nav = document.getElementById(t.getAttribute("aria-controls"));
    var open = nav.classList.toggle("open");
    t.setAttribute("aria-expanded", open ? "true" : "false");
  });
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-deadline")) - now;
      var late = ms < 0; ms = Math.abs(ms);
      var h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
      el.textContent = (late ? (el.dataset.lateLabel || "超时 ") : (el.dataset.leftLabel || "剩余 ")) + h + ":" + pad(m) + ":" + pad(s);
      el.classList.toggle("late", late);
      el.classList.toggle("soon", !late && ms < 2 * 3600000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
  // What the templates once did with inline handlers (the Content-Security-Policy allows
  // no inline code): filters that submit on change, print and back buttons.
  document.addEventListener("change", function (e) {
    var el = e.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
    if (e.target.closest("[data-back]")) { e.preventDefault(); history.back(); }
  });
  // A printout shows every section: open the collapsed ones, close them again after.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });
})();
