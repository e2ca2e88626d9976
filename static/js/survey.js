// The survey form's live rates (the dossier page, commune Front's survey step).
(function () {
  const form = document.getElementById("survey-form"), total = document.getElementById("survey-total");
  if (!form || !total) return;
  const frac = s => { const [a, b] = String(s).split("/"); return b ? Number(a) / Number(b) : Number(a); };
  const covMin = frac(total.dataset.coverageMin), rateMin = frac(total.dataset.rateMin);
  const label = total.dataset;
  const pct = x => (100 * x).toFixed(1).replace(/\.0$/, "") + "%";
  function figure(value, ok) {
    const b = document.createElement("b");
    b.className = ok ? "ok" : "bad";
    b.textContent = pct(value);
    return b;
  }
  function update() {
    let H = 0, S = 0, K = 0;
    form.querySelectorAll("tr[data-village]").forEach(row => {
      const [h, s, k] = [...row.querySelectorAll("input")].map(i => Number(i.value || 0));
      H += h; S += s; K += k;
      row.querySelector(".rate").textContent = h ? pct(s / h) + " / " + (s ? pct(k / s) : "—") : "";
    });
    const cov = H ? S / H : 0, rate = S ? K / S : 0;
    total.replaceChildren(
      label.labelSurveyed + ": ", figure(cov, cov >= covMin),
      " (" + label.labelRequired + " " + pct(covMin) + ") · " + label.labelSatisfied + ": ",
      figure(rate, rate >= rateMin), " (" + label.labelRequired + " " + pct(rateMin) + ")");
  }
  form.addEventListener("input", update); update();
})();
