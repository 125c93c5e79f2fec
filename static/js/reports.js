// Dashboards: sortable tables (numbers in data-value), and a note while a long download runs.
(function () {
  "use strict";
  // Sortable tables: <th data-sort="text|num">, each cell's sort key in data-value. A cell
  // without data-value (数据不足, no grade) goes last whichever way the column is sorted.
  // The first click sorts names A→Z (拼音 order, localeCompare zh-Hans-CN) and numbers
  // from the highest; the next click reverses. Ties keep the order the page came in.
  var collator = new Intl.Collator("zh-Hans-CN");
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort]"));
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    original.forEach(function (row, i) { row.dataset.position = i; });
    function key(row, column) {
      var cell = row.cells[column];
      return cell && cell.hasAttribute("data-value") && cell.dataset.value !== "" ? cell.dataset.value : null;
    }
    function showArrow(th) {
      headers.forEach(function (h) {
        var arrow = h.querySelector(".sort-arrow");
        var state = h === th ? th.getAttribute("aria-sort") : null;
        if (!arrow) {
          arrow = document.createElement("span");
          arrow.className = "sort-arrow ms-1";
          arrow.setAttribute("aria-hidden", "true");
          h.appendChild(arrow);
        }
        arrow.textContent = state === "ascending" ? "▲" : state === "descending" ? "▼" : "";
      });
    }
    headers.forEach(function (th) {
      var column = th.cellIndex;
      var numeric = th.dataset.sort === "num";
      th.classList.add("user-select-none");
      th.tabIndex = 0;
      th.title = (th.title ? th.title + "；" : "") + "点击排序";
      function sort() {
        var current = th.getAttribute("aria-sort");
        var ascending = current ? current !== "ascending" : !numeric;
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = original.slice();
        rows.sort(function (a, b) {
          var x = key(a, column), y = key(b, column);
          if (x === null || y === null) {
            if (x === null && y !== null) return 1;
            if (y === null && x !== null) return -1;
          } else {
            var d = numeric ? parseFloat(x) - parseFloat(y) : collator.compare(x, y);
            if (d) return ascending ? d : -d;
          }
          return a.dataset.position - b.dataset.position;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        showArrow(th);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
    showArrow(table.querySelector("thead th[aria-sort]"));
  });
  document.querySelectorAll("[data-long-download]").forEach(function (link) {
    link.addEventListener("click", function () {
      var note = document.createElement("span");
      note.className = "small text-body-secondary ms-2";
      note.setAttribute("role", "status");
      note.textContent = "正在生成，单位较多时需要一些时间，请稍候…";
      link.after(note);
      setTimeout(function () { note.remove(); }, 20000);
    });
  });
})();

