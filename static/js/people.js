// People page: find a unit, branch, secretary, phone number or login among many, as one types.
// Without JavaScript the box stays hidden and the browser's own find (Ctrl+F) still works.
(function () {
  "use strict";
  var box = document.getElementById("people-search");
  var input = document.getElementById("people-filter");
  if (!box || !input) return;
  box.hidden = false;
  var count = document.getElementById("people-filter-count");
  var units = Array.prototype.slice.call(document.querySelectorAll(".people-unit"));

  function filter() {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    units.forEach(function (unit) {
      var unitText = unit.querySelector(".card-header").textContent.toLowerCase();
      var rows = unit.querySelectorAll("tbody tr[id^='branch-']");
      var unitShown = 0;
      rows.forEach(function (row) {
        var text = unitText + " " + row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) unitShown += 1;
      });
      unit.hidden = words.length > 0 && unitShown === 0;
      shown += unitShown;
    });
    count.textContent = words.length ? "找到 " + shown + " 个党支部" : "";
  }

  input.addEventListener("input", filter);
})();
