// Questionnaire page: number boxes checked as one types. A count takes whole numbers only
// (no 2.5, no 1e1); every box has a range. The message sits beside the box, in the words the
// server uses, and a refused box is marked (data-invalid on its question) so the progress
// bar and the submit dialog do not count it as answered. The server checks again.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire-form");
  if (!form) return;

  function problem(el) {
    var raw = el.value.trim();
    var integer = el.dataset.integer === "1";
    var range = "可填 " + el.dataset.range + "。";
    var wrongKind = integer
      ? "请填写整数（如 3），不要填小数或其他字符。" + range
      : "请填写数字。" + range;
    if (el.validity && el.validity.badInput) return wrongKind;
    if (raw === "") return "";
    if (integer ? !/^-?\d+$/.test(raw) : !/^-?(\d+\.?\d*|\.\d+)$/.test(raw)) return wrongKind;
    var value = Number(raw);
    var max = el.dataset.max === undefined ? Infinity : Number(el.dataset.max);
    if (value < 0 || value > max) return "请填写 " + el.dataset.range + "。";
    if (!integer && /\.\d{3,}$/.test(raw)) return "最多保留 2 位小数。";
    return "";
  }

  function check(el) {
    var message = problem(el);
    var question = el.closest(".question");
    var out = document.getElementById("check-" + (question && question.dataset.question));
    if (out) out.textContent = message;
    el.classList.toggle("is-invalid", !!message);
    if (message) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    if (question) question.dataset.invalid = message ? "1" : "";
  }

  var boxes = form.querySelectorAll("input[type=number][data-range]");
  Array.prototype.forEach.call(boxes, function (el) {
    // A value the server sent back is checked at once; an empty box keeps the server's text.
    if (el.value.trim() !== "") check(el);
  });
  // On the form, and this script runs first, so the progress sees the result.
  ["input", "change"].forEach(function (type) {
    form.addEventListener(type, function (event) {
      var el = event.target;
      if (el.matches && el.matches("input[type=number][data-range]")) check(el);
    });
  });
})();
