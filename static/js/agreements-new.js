// From templates/agreements/new.html: loaded with defer, after the page is parsed.
// Progressive enhancement: the preset fills blanks as soon as a trade is chosen, and only
// the chosen kind of hiring party is shown. Without script the buttons above do the same.
(function () {
  const form = document.getElementById("counter-form");
  const presets = JSON.parse(document.getElementById("trade-presets").textContent);
  const trade = form.elements["trade"];
  let applied = {};
  trade.addEventListener("change", function () {
    const preset = presets[trade.value] || {};
    for (const [name, value] of Object.entries(preset)) {
      const input = form.elements[name];
      if (input && (!input.value || input.value === applied[name])) input.value = value;
    }
    applied = preset;
  });
  function showHiring() {
    const kind = form.querySelector("input[name=hiring_kind]:checked");
    form.querySelectorAll("[data-hiring]").forEach(function (el) {
      el.hidden = kind && el.dataset.hiring !== kind.value;
    });
  }
  form.querySelectorAll("input[name=hiring_kind]").forEach(function (el) {
    el.addEventListener("change", showHiring);
  });
  showHiring();
})();
