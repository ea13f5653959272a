// resdiff report: view switch, filters, keyboard navigation. Vanilla, no network, and it never
// writes markup: it reads data-* attributes and toggles `hidden`, classes and textContent.
(function () {
  "use strict";
  var root = document.getElementById("resdiff");
  if (!root) { return; }
  var controls = root.querySelector(".controls");
  var rows = Array.prototype.slice.call(root.querySelectorAll(".row"));
  var heads = Array.prototype.slice.call(root.querySelectorAll(".section-head"));
  var only = document.getElementById("f-only");
  var section = document.getElementById("f-section");
  var change = document.getElementById("f-change");
  var actor = document.getElementById("f-actor");
  var status = document.getElementById("f-status");
  var views = Array.prototype.slice.call(root.querySelectorAll('input[name="view"]'));
  var order = new Map(rows.map(function (row, i) { return [row, i]; }));

  function words(row, name, sep) {
    var value = row.getAttribute(name) || "";
    return value ? value.split(sep) : [];
  }

  function matches(row) {
    if (only.checked && row.getAttribute("data-changed") !== "1") { return false; }
    if (section.value && row.getAttribute("data-section") !== section.value) { return false; }
    if (change.value) {
      var kind = change.value.slice(0, 2), value = change.value.slice(2);
      var have = kind === "p:" ? words(row, "data-kinds", " ") : words(row, "data-mandates", " ");
      if (have.indexOf(value) < 0) { return false; }
    }
    if (actor.value && words(row, "data-actors", "|").indexOf(actor.value) < 0) { return false; }
    return true;
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      row.hidden = !matches(row);
      if (!row.hidden) { shown += 1; }
    });
    heads.forEach(function (head) {
      var name = head.getAttribute("data-section");
      head.hidden = !rows.some(function (row) {
        return !row.hidden && row.getAttribute("data-section") === name;
      });
    });
    status.textContent = shown + " of " + rows.length + " shown";
  }

  function setView(value) {
    root.classList.toggle("view-redline", value === "redline");
  }

  function measureBar() {
    var bar = getComputedStyle(controls).position === "sticky" ? controls.offsetHeight : 0;
    root.style.setProperty("--bar", bar + "px");
    return bar;
  }

  // The row navigation starts from: the focused row, else the last row navigated to while it
  // is still on screen (a click on Next moves focus to the button), else none.
  var last = null;
  function currentRow() {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest(".row") : null;
    if (row && order.has(row)) { return row; }
    if (last && !last.hidden) {
      var box = last.getBoundingClientRect();
      if (box.bottom > 0 && box.top < window.innerHeight) { return last; }
    }
    return null;
  }

  // The next or previous changed row that is shown: after the current row, or else after
  // whatever sits at the top of the window (rows scroll to just under the toolbar).
  function step(direction) {
    var list = rows.filter(function (row) {
      return !row.hidden && row.getAttribute("data-changed") === "1";
    });
    if (!list.length) { return; }
    var current = currentRow();
    var target = null;
    if (current) {
      var at = order.get(current);
      var after = list.filter(function (row) {
        return direction > 0 ? order.get(row) > at : order.get(row) < at;
      });
      target = direction > 0 ? after[0] : after[after.length - 1];
    } else {
      var bar = measureBar();
      var candidates = list.filter(function (row) {
        var top = row.getBoundingClientRect().top;
        return direction > 0 ? top > bar + 16 : top < bar + 4;
      });
      target = direction > 0 ? candidates[0] : candidates[candidates.length - 1];
    }
    if (!target) { return; }
    last = target;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  // A link to a paragraph that a filter hides shows everything again, then goes there.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var row = target ? target.closest(".row") : null;
    if (!row || !row.hidden) { return; }
    only.checked = false;
    section.value = change.value = actor.value = "";
    apply();
    target.scrollIntoView({ block: "start" });
  }

  controls.hidden = false;
  measureBar();
  [only, section, change, actor].forEach(function (el) { el.addEventListener("change", apply); });
  views.forEach(function (el) {
    el.addEventListener("change", function () { setView(el.value); });
    if (el.checked) { setView(el.value); }
  });
  document.getElementById("next-change").addEventListener("click", function () { step(1); });
  document.getElementById("prev-change").addEventListener("click", function () { step(-1); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var t = event.target;  // letters typed into a field belong to the field
    if (t && (t.isContentEditable || t.tagName === "SELECT" || t.tagName === "TEXTAREA" ||
        (t.tagName === "INPUT" && t.type !== "checkbox" && t.type !== "radio"))) { return; }
    if (event.key === "j" || event.key === "n") { step(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "p") { step(-1); event.preventDefault(); }
  });
  window.addEventListener("hashchange", reveal);
  window.addEventListener("resize", measureBar);
  apply();
  if (location.hash) {
    // The toolbar just appeared above the target: scroll again so it is not covered.
    var first = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (first) { first.scrollIntoView({ block: "start" }); }
  }
})();
