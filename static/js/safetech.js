// Progressive enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the form's error summary so screen-reader and keyboard users hear it first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
