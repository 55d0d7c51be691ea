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

// Pages with sections behind an anchor bar ([data-tabs]): the bar becomes tabs and one section
// shows at a time (the anchors still work without this script). Arrow keys move between tabs.
(function () {
  function setup(container) {
    var list = container.querySelector("[data-tab-list]");
    if (!list) {
      return;
    }
    var tabs = Array.prototype.slice.call(list.querySelectorAll("a[href^='#']"));
    var panels = tabs.map(function (tab) {
      return document.getElementById(tab.getAttribute("href").slice(1));
    });
    if (panels.some(function (panel) { return !panel; })) {
      return;
    }
    list.setAttribute("role", "tablist");
    Array.prototype.forEach.call(list.children, function (item) {
      item.setAttribute("role", "presentation");
    });
    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.setAttribute("tabindex", on ? "0" : "-1");
        panels[i].hidden = !on;
      });
      if (focus) {
        tabs[index].focus();
      }
    }
    tabs.forEach(function (tab, i) {
      tab.setAttribute("role", "tab");
      tab.id = tab.id || "tab-" + panels[i].id;
      tab.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, false);
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", "#" + panels[i].id);
        }
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        // The arrow toward the end of the row moves forward: in a right-to-left page (Arabic)
        // the tabs run from right to left, so the left arrow goes to the next tab.
        var rtl = getComputedStyle(container).direction === "rtl";
        var forward = rtl ? "ArrowLeft" : "ArrowRight";
        var back = rtl ? "ArrowRight" : "ArrowLeft";
        if (event.key === forward) { next = (i + 1) % tabs.length; }
        if (event.key === back) { next = (i - 1 + tabs.length) % tabs.length; }
        if (event.key === "Home") { next = 0; }
        if (event.key === "End") { next = tabs.length - 1; }
        if (next !== null) {
          event.preventDefault();
          select(next, true);
        }
      });
    });
    var wanted = 0;
    var hash = window.location.hash.slice(1);
    panels.forEach(function (panel, i) {
      if (hash && (panel.id === hash || panel.querySelector("#" + CSS.escape(hash)))) {
        wanted = i;
      }
    });
    container.classList.add("tabs-on");
    select(wanted, false);
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-tabs]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
