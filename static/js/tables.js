// Lists: "select all on this page" and the count of ticked rows. Without it, each row's box
// still works and the buttons still submit the ticked rows.
(function () {
  "use strict";
  function update(form) {
    var boxes = form.querySelectorAll('input[name="selected"]');
    var ticked = 0;
    boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var count = form.querySelector("[data-bulk-count]");
    if (count) {
      count.textContent = ticked
        ? count.getAttribute("data-template").replace("%(count)s", String(ticked))
        : count.getAttribute("data-none");
    }
  }
  document.querySelectorAll("form[data-bulk]").forEach(function (form) {
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        form.querySelectorAll('input[name="selected"]').forEach(function (box) {
          box.checked = all.checked;
        });
        update(form);
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "selected") { update(form); }
    });
    update(form);
  });
})();
