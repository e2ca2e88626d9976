// Behaviour shared by every page (no inline script: the Content-Security-Policy forbids it).
document.querySelectorAll("select[data-autosubmit]").forEach(select => {
  select.addEventListener("change", () => select.form.submit());
});

// Irreversible actions ask first: a form or a button with data-confirm submits only once the
// person confirms the question it holds.
document.querySelectorAll("[data-confirm]").forEach(element => {
  const event = element.tagName === "FORM" ? "submit" : "click";
  element.addEventListener(event, e => {
    if (!window.confirm(element.dataset.confirm)) e.preventDefault();
  });
});
