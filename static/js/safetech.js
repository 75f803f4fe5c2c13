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

  // Catalog filters: a ticked box or a new sort order reloads the results at once; the
  // "Apply the filters" button stays for browsers without this script.
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) {
      return;
    }
    if (control instanceof HTMLInputElement && control.type !== "checkbox") {
      return;
    }
    if (control.form && control.closest("[data-auto-submit]")) {
      control.form.submit();
    }
  });

  // "Show all" in a long facet group lists the rest without a reload (the link reloads
  // with every value listed when this script does not run).
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest(".facet-show-all") : null;
    if (!link) {
      return;
    }
    var group = link.closest(".facet-group");
    if (!group) {
      return;
    }
    event.preventDefault();
    var hidden = group.querySelectorAll(".facet-option[hidden]");
    for (var index = 0; index < hidden.length; index += 1) {
      hidden[index].hidden = false;
    }
    var first = hidden.length ? hidden[0].querySelector("input") : null;
    link.parentNode.removeChild(link);
    if (first) {
      first.focus();
    }
  });
})();
