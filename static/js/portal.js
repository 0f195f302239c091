/* Small enhancements on top of htmx. The portal works without this file. */
(function () {
  "use strict";

  // Choosing files uploads them at once (the Upload button is there for browsers without JavaScript).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-auto-upload]") || !input.files.length) return;
    var form = input.form;
    var button = form && form.querySelector("[data-upload-button]");
    if (form && button && form.requestSubmit) form.requestSubmit(button);
  });

  // Upload progress for forms marked data-upload-progress.
  function panelFor(target) {
    var form = target.closest ? target.closest("form[data-upload-progress]") : null;
    return form ? form.querySelector("[data-progress-panel]") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload-progress]");
    var file = form && form.querySelector("input[type=file]");
    var panel = panelFor(event.target);
    if (panel && file && file.files && file.files.length) panel.classList.add("active");
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var panel = panelFor(event.target);
    if (!panel || !event.detail.lengthComputable) return;
    var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    panel.querySelector("progress").value = percent;
    var text = panel.querySelector("[data-progress-text]");
    if (text) text.textContent = percent < 100 ? percent + "%" : "Checking the file…";
  });

  // After a form is re-rendered with errors, move focus to the first error so keyboard and
  // screen-reader users hear what to fix.
  document.addEventListener("htmx:afterSwap", function (event) {
    var old = event.detail.target;
    var target = old && old.id ? document.getElementById(old.id) : null;
    if (!target || target.tagName !== "FORM") return;
    var error = target.querySelector(".has-error input, .has-error select, .has-error textarea, [role=alert]");
    if (error) {
      if (!error.hasAttribute("tabindex") && error.getAttribute("role") === "alert") error.setAttribute("tabindex", "-1");
      error.focus();
    }
  });
})();

// Notices: an element swapped in by htmx that asks for focus gets it (keyboard users keep their place).
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  var swapped = target && target.id ? document.getElementById(target.id) : null;
  if (swapped && swapped.hasAttribute("data-focus-on-swap")) swapped.focus();
});
