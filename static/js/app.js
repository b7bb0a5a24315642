// After a refused save, put the cursor in the first field that needs fixing.
document.addEventListener("DOMContentLoaded", function () {
  var bad = document.querySelector("input[aria-invalid=true], .has-error input");
  if (bad) { bad.focus(); bad.select && bad.select(); }
});
