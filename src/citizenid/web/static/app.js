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
  // Preview a photo or fingerprint before it is sent.
  for (const input of document.querySelectorAll("input[type=file][data-preview]")) {
    input.addEventListener("change", () => {
      const img = document.getElementById(input.dataset.preview);
      if (input.files && input.files[0]) { img.src = URL.createObjectURL(input.files[0]); img.hidden = false; }
    });
  }
  // Highlight a declared value that differs from the register as the officer types.
  for (const input of document.querySelectorAll("input[data-registered]")) {
    const mark = () => input.closest("tr").classList.toggle("differs", input.value.trim() !== input.dataset.registered);
    input.addEventListener("input", mark);
    mark();
  }
  // One submission per form: a double click does not send it twice.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) { button.disabled = true; }
    });
  }
});
