// The admin's export page (django-import-export) binds its "select all" box with an inline
// onchange, which the Content-Security-Policy refuses; bind the same handler from here.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof window.onSelectToggleChange !== "function") { return; }
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", window.onSelectToggleChange);
  });
});
