// After a refused save, put the cursor in the first field that needs fixing.
document.addEventListener("DOMContentLoaded", function () {
  var bad = document.querySelector("input[aria-invalid=true], .has-error input");
  if (bad) { bad.focus(); bad.select && bad.select(); }
});

// Buttons that destroy something ask first (data-confirm holds the Thai question);
// no inline handlers, so the Content-Security-Policy can forbid inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
});
