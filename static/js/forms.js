// Forms: the error summary takes focus when the page shows it, and its links move the focus to
// the field they name (a plain anchor only scrolls). Every form works without this script.
(function () {
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-error-summary] a[data-field]") : null;
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("data-field"));
    if (field) {
      event.preventDefault();
      var holder = field.closest(".field") || field;
      holder.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    }
  });
})();
