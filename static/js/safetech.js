// Progressive enhancements only: every page works without this file.
(function () {
  // Move focus to the form's error summary so screen-reader and keyboard users hear it first.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", focusErrorSummary);
  // After a skip link the address ends in #main-content, and the browser's scroll to that
  // fragment (after DOMContentLoaded) would take the focus away again.
  window.addEventListener("load", function () {
    if (window.location.hash) {
      focusErrorSummary();
    }
  });
})();
