// From templates/complaints/new.html: loaded with defer, after the page is parsed.
// Progressive enhancement: show only the complainant fields of the choice made.
(function () {
  const form = document.getElementById("intake-form");
  function show() {
    const who = form.querySelector("input[name=who]:checked");
    form.querySelectorAll("[data-who]").forEach(function (el) {
      el.hidden = who && el.dataset.who.split(" ").indexOf(who.value) < 0;
    });
  }
  form.querySelectorAll("input[name=who]").forEach(function (el) { el.addEventListener("change", show); });
  show();
})();
