// Polls the run's progress and reloads the page when the run has finished. No data leaves the machine.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) { return; }
  var text = document.getElementById("progress-text");
  var bar = document.getElementById("progress-bar");
  function fmtNumber(x) { return String(x).replace(".", ","); }
  function fmtLeft(s) {
    if (s === null || s === undefined) { return ""; }
    if (s < 60) { return ", cirka " + s + " s kvar"; }
    return ", cirka " + Math.round(s / 60) + " min kvar";
  }
  function poll() {
    fetch(box.dataset.status, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (p.state === "done" || p.state === "failed") { window.location.reload(); return; }
        if (p.state === "queued") { text.textContent = "Väntar på tur …"; }
        else {
          bar.max = p.total || 1;
          bar.value = p.done;
          text.textContent = "Klassar: " + p.done + " av " + p.total + " rader (" + p.percent + " %)" +
            (p.rate ? ", " + fmtNumber(p.rate) + " rader/s" : "") + fmtLeft(p.seconds_left);
        }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
