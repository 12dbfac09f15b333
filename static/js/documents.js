// Case pages (templates/documents/_list.html): a document being made shows "生成中" and
// its status changes in place when it is ready or has failed; the page is not reloaded,
// so nothing typed on it is lost. Asks every 2 s, then less often, for at most 10 min.
(function () {
  "use strict";
  if (window.caseworkDocumentsWatched) return;  // the list may be on a page twice
  window.caseworkDocumentsWatched = true;
  var STEP = 2000, MAX_DELAY = 15000, GIVE_UP = 10 * 60 * 1000;

  function watch(span) {
    var delay = STEP, started = Date.now();
    function ask() {
      fetch(span.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && !data.pending) {
            span.textContent = data.label;
            span.className = "status-" + data.status;
            span.removeAttribute("data-status-url");
            return;
          }
          if (Date.now() - started < GIVE_UP) {
            delay = Math.min(delay * 1.5, MAX_DELAY);
            window.setTimeout(ask, delay);
          }
        })
        .catch(function () { window.setTimeout(ask, MAX_DELAY); });
    }
    window.setTimeout(ask, delay);
  }

  document.querySelectorAll("[data-status-url]").forEach(watch);
})();
