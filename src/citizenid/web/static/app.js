// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The language menu submits itself when changed.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  // The life-event form shows only the fields of the chosen kind.
  for (const form of document.querySelectorAll("form[data-event-form]")) {
    const kind = form.querySelector("select[name=kind]");
    const sync = () => {
      for (const field of form.querySelectorAll("[data-for]")) {
        field.hidden = field.dataset.for !== kind.value;
      }
    };
    kind.addEventListener("change", sync);
    sync();
  }
  // One submission per form: a double click does not send it twice.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) { button.disabled = true; }
    });
  }
});
