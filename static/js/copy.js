// A "Copy" button beside a code shown once (the complaint's tracking code):
//   <button type="button" class="copy" data-copy-target="ID" data-copied="Copied" hidden>Copy</button>
//   <span class="copy-status" role="status"></span>
// The button stays hidden without JavaScript. It copies the text of the element ID with the
// Clipboard API, or, where that is missing or refused (an http address, an old browser),
// selects the text so that the person can copy it by hand. The status beside it says
// "Copied" (announced by screen readers: role=status).
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection;
  }

  function legacyCopy(element) {
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function say(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (!status) return;
    status.textContent = "";
    // A fresh text each time, so a second copy is announced again.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function copy(button) {
    var element = document.getElementById(button.getAttribute("data-copy-target"));
    if (!element) return;
    var text = element.textContent.trim();
    var done = function () { say(button, button.getAttribute("data-copied") || ""); };
    var fallback = function () {
      if (legacyCopy(element)) done();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.copy[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();
