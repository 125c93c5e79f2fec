// The rater form: one tap sends it once (the server records one response per code anyway).
(function () {
  "use strict";
  var form = document.querySelector("[data-rater-form]");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var button = form.querySelector("[data-rater-submit]");
    if (button) { button.textContent = "正在提交…"; button.setAttribute("aria-disabled", "true"); }
  });
})();
