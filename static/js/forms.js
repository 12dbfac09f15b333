// Every page (templates/base.html): forms that cannot be sent twice, and errors in sight.
// - On sending a form by POST, its buttons are disabled (after the click has been sent,
//   so the button's own name and value still go) and the form is marked busy: a slow step
//   (a PDF being made) cannot be sent again by a second click.
// - When a page comes back with errors, a summary goes to the top of the first form with
//   errors and the first wrong field gets the focus, so a message far down the page is
//   not missed.
(function () {
  "use strict";

  function busy(form) {
    form.setAttribute("aria-busy", "true");
    form.classList.add("busy");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]")
        .forEach(function (button) { button.disabled = true; });
    }, 0);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") return;
    busy(form);
  });

  // A page shown again from the browser's history: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form.busy").forEach(function (form) {
      form.classList.remove("busy");
      form.removeAttribute("aria-busy");
      form.querySelectorAll("[disabled]").forEach(function (el) { el.disabled = false; });
    });
  });

  function firstWrongField() {
    var marked = document.querySelector(
      ".has-errors input, .has-errors select, .has-errors textarea, " +
      ".errorlist + input, .errorlist + select, .errorlist + textarea, [aria-invalid=true]"
    );
    return marked;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var field = firstWrongField();
    if (!field) return;
    var form = field.form;
    var text = document.body.getAttribute("data-error-summary");
    if (form && text && !form.querySelector("[role=alert]")) {
      var summary = document.createElement("div");
      summary.className = "notice error";
      summary.setAttribute("role", "alert");
      summary.textContent = text;
      form.insertBefore(summary, form.firstChild);
    }
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
  });
})();
