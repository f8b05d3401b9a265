// Filters and sorting for the faasguard HTML report. Plain DOM, no dependency, no network.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var category = document.getElementById("filter-category");
  var severity = document.getElementById("filter-severity");
  var fn = document.getElementById("filter-function");
  var text = document.getElementById("filter-text");
  var sort = document.getElementById("sort");
  var shown = document.getElementById("shown");
  var lists = Array.prototype.slice.call(document.querySelectorAll(".findings"));
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var haystack = new Map();
  cards.forEach(function (card) { haystack.set(card, card.textContent.toLowerCase()); });

  function num(card, key) { return Number(card.getAttribute("data-" + key)); }
  function str(card, key) { return card.getAttribute("data-" + key) || ""; }
  function functions(card) {
    var many = card.getAttribute("data-functions");
    return many ? JSON.parse(many) : [str(card, "function")];
  }
  function byOrder(a, b) { return num(a, "order") - num(b, "order"); }
  var comparators = {
    severity: byOrder,
    "function": function (a, b) { return str(a, "function").localeCompare(str(b, "function")) || byOrder(a, b); },
    file: function (a, b) {
      return str(a, "path").localeCompare(str(b, "path")) || num(a, "line") - num(b, "line") || byOrder(a, b);
    },
    rule: function (a, b) { return str(a, "rule").localeCompare(str(b, "rule")) || byOrder(a, b); }
  };

  function apply() {
    var wantCategory = category.value;
    var minSeverity = Number(severity.value);
    var wantFunction = fn.value;
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var visible = 0;
    cards.forEach(function (card) {
      var hay = haystack.get(card);
      var ok = (!wantCategory || str(card, "category") === wantCategory) &&
        num(card, "severity") >= minSeverity &&
        (!wantFunction || functions(card).indexOf(wantFunction) !== -1) &&
        words.every(function (w) { return hay.indexOf(w) !== -1; });
      card.hidden = !ok;
      if (ok) { visible += 1; }
    });
    lists.forEach(function (list) {
      var empty = list.parentNode.querySelector(".empty");
      var any = Array.prototype.some.call(list.children, function (c) { return !c.hidden; });
      if (empty) { empty.hidden = any; }
    });
    shown.textContent = visible + " of " + cards.length + " findings shown";
  }

  function reorder() {
    var compare = comparators[sort.value] || byOrder;
    lists.forEach(function (list) {
      Array.prototype.slice.call(list.children).sort(compare).forEach(function (c) { list.appendChild(c); });
    });
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  [category, severity, fn].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  sort.addEventListener("change", reorder);
  form.addEventListener("reset", function () { setTimeout(function () { apply(); reorder(); }, 0); });
  Array.prototype.forEach.call(document.querySelectorAll("a[data-filter-function]"), function (link) {
    link.addEventListener("click", function () { fn.value = link.getAttribute("data-filter-function"); apply(); });
  });
  apply();
}());
