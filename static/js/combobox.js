// Searchable pickers: the WAI-ARIA combobox pattern (an input with role="combobox", a listbox
// of options, aria-activedescendant) over
//   select[data-combobox]            one choice among the select's options (units, status...)
//   select[multiple][data-combobox]  several, shown as removable chips (paragraphs)
//   input[data-combobox="remote"]    a text box suggested from a JSON endpoint scoped by the
//                                    user's rights (people, instruments): {"results": [{value, label}]}
// The select or input underneath stays the form's value: without this script the page works.
(function () {
  "use strict";
  // Pages may load this more than once (each picker widget asks for it): run once.
  if (window.trackerCombobox) { return; }
  window.trackerCombobox = true;
  var counter = 0;
  var MAX = 50;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function Combobox(input, source, onPick, wrapper) {
    counter += 1;
    var self = this;
    this.input = input;
    this.source = source; // function(text, callback(options))
    this.onPick = onPick;
    this.options = [];
    this.active = -1;
    this.listbox = el("ul", { role: "listbox", id: "combobox-list-" + counter, class: "combobox-list" });
    this.listbox.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    input.setAttribute("autocomplete", "off");
    wrapper.appendChild(this.listbox);
    input.addEventListener("input", function () { self.open(input.value); });
    input.addEventListener("keydown", function (event) { self.key(event); });
    input.addEventListener("blur", function () { window.setTimeout(function () { self.close(); }, 150); });
    input.addEventListener("click", function () { if (self.listbox.hidden) { self.open(""); } });
    this.listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.listbox.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) { self.pick(Number(item.getAttribute("data-index"))); }
    });
  }
  Combobox.prototype.open = function (text) {
    var self = this;
    this.source(text, function (options) {
      self.options = options.slice(0, MAX);
      self.render();
    });
  };
  Combobox.prototype.render = function () {
    var self = this;
    this.listbox.textContent = "";
    this.active = this.options.length ? 0 : -1;
    if (!this.options.length) {
      this.listbox.appendChild(el("li", { class: "combobox-empty", role: "presentation" }, document.documentElement.lang.indexOf("zh") === 0 ? "无匹配项" : "No matches"));
    }
    this.options.forEach(function (option, index) {
      var item = el("li", { role: "option", id: self.listbox.id + "-" + index, "data-index": String(index), "aria-selected": "false" }, option.label);
      self.listbox.appendChild(item);
    });
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  };
  Combobox.prototype.highlight = function () {
    var self = this;
    Array.prototype.forEach.call(this.listbox.querySelectorAll("[role=option]"), function (item, index) {
      item.setAttribute("aria-selected", index === self.active ? "true" : "false");
      if (index === self.active) { item.scrollIntoView({ block: "nearest" }); }
    });
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", this.listbox.id + "-" + this.active);
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };
  Combobox.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };
  Combobox.prototype.pick = function (index) {
    var option = this.options[index];
    if (option) { this.onPick(option); }
    this.close();
  };
  Combobox.prototype.key = function (event) {
    var openNow = !this.listbox.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!openNow) { this.open(event.altKey ? "" : this.input.value); return; }
      this.active = Math.min(this.active + 1, this.options.length - 1);
      this.highlight();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (openNow) { this.active = Math.max(this.active - 1, 0); this.highlight(); }
    } else if (event.key === "Enter" && openNow && this.active >= 0) {
      event.preventDefault();
      this.pick(this.active);
    } else if (event.key === "Escape" && openNow) {
      event.preventDefault();
      this.close();
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  function matches(text) {
    var needle = text.trim().toLowerCase();
    return function (option) { return !needle || option.label.toLowerCase().indexOf(needle) !== -1; };
  }

  function selectOptions(select) {
    return Array.prototype.map.call(select.options, function (option) {
      return { value: option.value, label: option.textContent.trim() };
    });
  }

  function adoptId(select, input) {
    // The label points at the visible box; the select keeps the name (and the value).
    input.id = select.id;
    select.id = select.id + "-select";
    var described = select.getAttribute("aria-describedby");
    if (described) { input.setAttribute("aria-describedby", described); }
    if (select.getAttribute("aria-invalid")) { input.setAttribute("aria-invalid", select.getAttribute("aria-invalid")); }
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
  }

  function single(select) {
    var wrapper = el("span", { class: "combobox" });
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(select);
    var input = el("input", { type: "text", class: "combobox-input" });
    var current = select.options[select.selectedIndex];
    input.value = current && current.value ? current.textContent.trim() : "";
    input.placeholder = select.options.length && !select.options[0].value ? select.options[0].textContent.trim() : "";
    adoptId(select, input);
    wrapper.insertBefore(input, select);
    new Combobox(input, function (text, done) {
      done(selectOptions(select).filter(matches(text === input.value && select.value ? "" : text)));
    }, function (option) {
      select.value = option.value;
      input.value = option.value ? option.label : "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }, wrapper);
    input.addEventListener("change", function () {
      if (!input.value.trim()) { select.value = ""; }
    });
  }

  function multiple(select) {
    var wrapper = el("span", { class: "combobox combobox-multiple" });
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(select);
    var chips = el("ul", { class: "combobox-chips", "aria-live": "polite" });
    var input = el("input", { type: "text", class: "combobox-input" });
    adoptId(select, input);
    wrapper.insertBefore(chips, select);
    wrapper.insertBefore(input, select);
    var removeText = document.documentElement.lang.indexOf("zh") === 0 ? "移除" : "Remove";
    function draw() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected) { return; }
        var label = option.textContent.trim();
        var item = el("li", { class: "chip" });
        item.appendChild(el("span", {}, label.length > 60 ? label.slice(0, 57) + "…" : label));
        var remove = el("button", { type: "button", class: "chip-x", "aria-label": removeText + " " + label }, "×");
        remove.addEventListener("click", function () {
          option.selected = false;
          draw();
          input.focus();
        });
        item.appendChild(remove);
        chips.appendChild(item);
      });
    }
    new Combobox(input, function (text, done) {
      done(Array.prototype.filter.call(select.options, function (o) { return !o.selected; })
        .map(function (o) { return { value: o.value, label: o.textContent.trim() }; })
        .filter(matches(text)));
    }, function (option) {
      Array.prototype.forEach.call(select.options, function (o) { if (o.value === option.value) { o.selected = true; } });
      input.value = "";
      draw();
    }, wrapper);
    draw();
  }

  function remote(input) {
    var wrapper = el("span", { class: "combobox" });
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var chosen = el("span", { class: "combobox-chosen hint", "aria-live": "polite" });
    wrapper.appendChild(chosen);
    var url = input.getAttribute("data-combobox-url");
    var timer = null;
    var last = null;
    new Combobox(input, function (text, done) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var request = new XMLHttpRequest();
        last = request;
        request.open("GET", url + "?q=" + encodeURIComponent(text.trim()));
        request.setRequestHeader("Accept", "application/json");
        request.onload = function () {
          if (request !== last || request.status !== 200) { return; }
          try { done(JSON.parse(request.responseText).results || []); } catch (e) { done([]); }
        };
        request.send();
      }, 200);
    }, function (option) {
      input.value = String(option.value);
      chosen.textContent = option.label;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }, wrapper);
  }

  document.querySelectorAll("select[data-combobox]").forEach(function (select) {
    if (select.multiple) { multiple(select); } else { single(select); }
  });
  document.querySelectorAll("input[data-combobox=remote]").forEach(remote);
})();
