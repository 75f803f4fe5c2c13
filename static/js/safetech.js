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

  // A block marked data-shown-by="FIELD" data-shown-for="VALUE …" shows only while the select
  // FIELD holds one of those values (or none yet). Without this script every block shows and
  // the server checks what belongs to the choice.
  function toggleBlocks() {
    var blocks = document.querySelectorAll("[data-shown-by]");
    Array.prototype.forEach.call(blocks, function (block) {
      var select = document.getElementById(block.getAttribute("data-shown-by"));
      if (!select) {
        return;
      }
      var wanted = block.getAttribute("data-shown-for").split(" ");
      block.hidden = select.value !== "" && wanted.indexOf(select.value) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    toggleBlocks();
    document.addEventListener("change", toggleBlocks);
  });
})();
