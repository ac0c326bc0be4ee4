// Polls a report request's status and moves the progress bar; shows the download link
// when the report is ready. Loaded as a file (the CSP allows no inline script).
(function () {
  "use strict";

  function watch(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-role=text]");
    var ready = box.querySelector("[data-role=ready]");
    var link = box.querySelector("[data-role=download]");
    var delay = 1000;

    function show(status) {
      bar.value = status.percent;
      bar.textContent = status.percent + "%";
      if (status.state === "done") {
        text.textContent = ready.getAttribute("data-ready-text");
        link.hidden = false;
        return true;
      }
      if (status.state === "failed") {
        text.textContent = ready.getAttribute("data-failed-text") + " " + (status.error || "");
        return true;
      }
      text.textContent = status.done + " / " + status.total + " " +
        ready.getAttribute("data-step-text");
      return false;
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) {
          if (status && show(status)) { return; }
          delay = Math.min(delay * 1.2, 5000);
          window.setTimeout(poll, delay);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }

    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".report-progress[data-status-url]").forEach(watch);
  });
})();
