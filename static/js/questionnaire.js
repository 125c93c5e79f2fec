// Questionnaire page: live progress, a warning before leaving unsaved answers, no double
// posting (the server also makes a replayed submit harmless), and focus on the error summary.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire-form");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));
  // A re-shown POST whose input the server did not keep starts out unsaved.
  var dirty = form.dataset.unsaved === "1";

  function answered(q) {
    var inputs = q.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" || el.type === "checkbox") && el.checked) return true;
      if ((el.type === "number" || el.tagName === "TEXTAREA") && el.value.trim() !== "") return true;
    }
    return false;
  }

  function update() {
    var done = 0, missing = 0;
    questions.forEach(function (q) {
      var ok = answered(q);
      if (ok) done += 1;
      else if (q.dataset.required === "1") missing += 1;
    });
    var total = questions.length;
    document.getElementById("answered-count").textContent = done;
    document.getElementById("total-count").textContent = total;
    document.getElementById("missing-count").textContent = missing;
    var bar = document.getElementById("progress-bar");
    bar.style.width = (total ? Math.round(done * 100 / total) : 0) + "%";
    bar.parentNode.setAttribute("aria-valuenow", total ? Math.round(done * 100 / total) : 0);
    var confirm = document.getElementById("confirm-progress");
    if (confirm) {
      confirm.textContent = missing
        ? "还有 " + missing + " 道必答题未作答，提交时会提示您补充。"
        : "已作答 " + done + " / " + total + " 题。";
    }
  }

  // Enter (a phone keyboard's 前往/完成) in a number box would submit the form through its
  // first button, 保存草稿, and reload at the top: the secretary loses their place. Enter
  // only closes the keyboard here; saving and submitting take the buttons.
  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key === "Enter" && el.tagName === "INPUT" && el.type !== "submit") {
      event.preventDefault();
      el.blur();
    }
  });
  form.addEventListener("input", function () { dirty = true; update(); });
  form.addEventListener("change", function () { dirty = true; update(); });
  form.addEventListener("submit", function (event) {
    if (form.dataset.posting === "1") { event.preventDefault(); return; }
    form.dataset.posting = "1";
    dirty = false;
    var action = event.submitter;
    // Disabled buttons are not posted, so carry the action in a hidden field.
    if (action && action.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = action.name; hidden.value = action.value;
      form.appendChild(hidden);
    }
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.textContent = "正在处理…";
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  update();

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // The links work without JS (anchors); with it, focus lands on the question's input too.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var question = document.getElementById(link.getAttribute("href").slice(1));
      if (!question) return;
      var input = question.querySelector("input:not([type=hidden]), textarea");
      if (input) window.setTimeout(function () { input.focus({ preventScroll: true }); }, 0);
    });
  }
})();
