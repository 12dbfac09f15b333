// From templates/complaints/_penalty_guidance.html: loaded with defer, after the page is parsed.
// Progressive enhancement: mark the conduct chosen and compute its range for the workers typed.
(function () {
  const box = document.getElementById("penalty-guidance");
  const conduct = document.getElementById("decision-conduct_found");
  const workers = document.getElementById("decision-workers_affected");
  const line = document.getElementById("penalty-chosen");
  if (!box || !conduct || !workers || !line) return;
  const shown = line.querySelector("[data-range]");
  function yuan(value, sign) {
    return (sign ? "¥" : "") + value.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }
  function update() {
    let chosen = null;
    box.querySelectorAll("tr[data-conduct]").forEach(function (row) {
      const on = row.dataset.conduct === conduct.value;
      row.classList.toggle("chosen", on);
      if (on) chosen = row;
    });
    if (!chosen) { line.hidden = true; return; }
    const perWorker = chosen.dataset.perWorker === "1";
    const n = Math.max(parseInt(workers.value, 10) || 1, 1);
    const factor = perWorker ? n : 1;
    const low = chosen.dataset.min === "" ? null : parseFloat(chosen.dataset.min) * factor;
    const high = chosen.dataset.max === "" ? null : parseFloat(chosen.dataset.max) * factor;
    let range = low === null ? box.dataset.upTo.replace("%(high)s", yuan(high, true))
      : yuan(low, true) + "–" + yuan(high, false);
    if (perWorker) range = box.dataset.forWorkers.replace("%(n)s", n).replace("%(range)s", range);
    shown.textContent = chosen.dataset.label + "：" + range;
    line.hidden = false;
  }
  conduct.addEventListener("change", update);
  workers.addEventListener("input", update);
})();
