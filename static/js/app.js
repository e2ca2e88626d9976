// Behaviour shared by every page (no inline script: the Content-Security-Policy forbids it).
document.querySelectorAll("select[data-autosubmit]").forEach(select => {
  select.addEventListener("change", () => select.form.submit());
});
