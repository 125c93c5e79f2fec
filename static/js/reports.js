// Dashboards: sortable tables (numbers in data-value), and a note while a long download runs.
(function () {
  "use strict";
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      th.style.cursor = "pointer";
      th.tabIndex = 0;
      function sort() {
        var numeric = th.dataset.sort === "num";
        var descending = th.getAttribute("aria-sort") !== "descending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.value || "", y = b.cells[column].dataset.value || "";
          var d = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-Hans-CN");
          return descending ? -d : d;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
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

// Forms that change what counts ask first.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
