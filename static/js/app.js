// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]")) {
    target.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Disclosure buttons: the language menu and, under 600 px, the main navigation. Without script
// both lists simply show; with it, a button opens them and nothing changes until a choice is
// activated (WCAG 3.2.2).
(function () {
  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var panel = panelOf(button);
    if (panel) {
      panel.classList.toggle("is-open", open);
    }
  }
  function closeAll(except) {
    document.querySelectorAll(".lang-toggle[aria-expanded='true'], .nav-toggle[aria-expanded='true']")
      .forEach(function (button) {
        if (button !== except) {
          setOpen(button, false);
        }
      });
  }
  function init() {
    var header = document.querySelector(".site-header");
    if (header) {
      header.classList.add("js-enhanced");
    }
    document.querySelectorAll(".lang-toggle, .nav-toggle").forEach(function (button) {
      button.hidden = false;
      setOpen(button, false);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        closeAll(button);
        setOpen(button, open);
        if (open && button.classList.contains("lang-toggle")) {
          var current = panelOf(button).querySelector("button[aria-current='true']") ||
            panelOf(button).querySelector("button");
          if (current) {
            current.focus();
          }
        }
      });
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector(".lang-toggle[aria-expanded='true']");
    if (open) {
      setOpen(open, false);
      open.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var menu = document.querySelector(".lang-toggle[aria-expanded='true']");
    if (menu && !menu.closest(".lang-menu").contains(event.target)) {
      setOpen(menu, false);
    }
  });
  document.addEventListener("focusout", function (event) {
    var wrapper = event.target.closest ? event.target.closest(".lang-menu") : null;
    if (!wrapper) {
      return;
    }
    // Leaving the language menu with Tab closes it; moving within it does not.
    window.setTimeout(function () {
      if (!wrapper.contains(document.activeElement)) {
        var button = wrapper.querySelector(".lang-toggle");
        if (button && button.getAttribute("aria-expanded") === "true") {
          setOpen(button, false);
        }
      }
    }, 0);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// A table wider than its box scrolls inside it: the keyboard must reach that region too (WCAG
// 2.1.1; axe's scrollable-region-focusable). Such a box becomes a named, focusable region while
// it overflows, on load and on resize (a phone turned, a window narrowed).
(function () {
  function nameOf(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var heading = wrap.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) {
      heading = heading.previousElementSibling;
    }
    return heading ? heading.textContent.trim() : document.title;
  }
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      if (overflows && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", nameOf(wrap));
        wrap.setAttribute("data-scroll-region", "");
      } else if (!overflows && wrap.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSwap", mark);
})();
