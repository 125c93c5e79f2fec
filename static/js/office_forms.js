// The office's forms: what each page did in an inline script, here so that the
// Content-Security-Policy (script-src 'self') needs no inline code. Each part runs only on
// the page that has its elements.
(function () {
  "use strict";

  // 退回: the reason first, then the confirmation. Asking "确认退回？" of a form the server
  // will refuse only adds a click. The server checks the reason too.
  var returnForm = document.getElementById("return-form");
  if (returnForm) {
    var reason = returnForm.elements.reason;
    returnForm.addEventListener("submit", function (event) {
      if (!reason.value.trim()) {
        event.preventDefault();
        reason.classList.add("is-invalid");
        if (!reason.parentNode.querySelector(".invalid-feedback")) {
          var note = document.createElement("div");
          note.className = "invalid-feedback";
          note.id = "reason-missing";
          note.textContent = "请填写退回原因，支部书记会看到它。";
          reason.after(note);
        }
        reason.focus();
      } else if (returnForm.dataset.confirmed === "1") {
        delete returnForm.dataset.confirmed;
      } else if (window.rongheConfirm) {
        event.preventDefault();
        window.rongheConfirm("确认退回这份答卷？支部书记将看到退回原因，并可修改后重新提交。", function () {
          returnForm.dataset.confirmed = "1";
          returnForm.requestSubmit();
        }, "退回");
      }
    });
  }

  // Handing a branch over: without JavaScript both groups show, each saying when it
  // applies; here only the chosen one shows.
  var handover = document.getElementById("handover-form");
  if (handover) {
    var groups = handover.querySelectorAll("[data-handover-mode]");
    var showChosenGroup = function () {
      var chosen = handover.querySelector("input[name=mode]:checked");
      groups.forEach(function (group) {
        var on = chosen !== null && group.dataset.handoverMode === chosen.value;
        group.hidden = !on;
        group.disabled = !on;  // not submitted, not in the tab order
      });
    };
    handover.querySelectorAll("[data-mode-hint]").forEach(function (hint) { hint.classList.add("visually-hidden"); });
    handover.querySelectorAll("input[name=mode]").forEach(function (radio) { radio.addEventListener("change", showChosenGroup); });
    showChosenGroup();
  }

  // A round's roster: the unit and branch lists only when "指定单位或党支部" is chosen.
  var rosterChoice = document.getElementById("roster-choice");
  if (rosterChoice) {
    var syncRoster = function () {
      var chosen = document.querySelector("input[name=roster_mode]:checked");
      rosterChoice.hidden = !(chosen && chosen.value === "chosen");
    };
    document.querySelectorAll("input[name=roster_mode]").forEach(function (r) { r.addEventListener("change", syncRoster); });
    syncRoster();
  }

  // A question: only the settings the chosen kind uses; hidden ones are ignored on save.
  var kind = document.getElementById("question-form") && document.getElementById("id_kind");
  if (kind) {
    var syncKind = function () {
      document.querySelectorAll("[data-kinds]").forEach(function (box) {
        box.hidden = box.dataset.kinds.split(" ").indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", syncKind);
    syncKind();
  }

  // AHP: the lower triangle mirrors the upper one as the office chooses: a_ji = 1 / a_ij.
  var reciprocal = function (value) {
    if (value === "1") return "1";
    return value.indexOf("1/") === 0 ? value.slice(2) : "1/" + value;
  };
  document.querySelectorAll("#ahp-matrix [data-mirror]").forEach(function (cell) {
    var select = document.querySelector("select[name=" + cell.dataset.mirror + "]");
    if (!select) return;
    select.addEventListener("change", function () { cell.textContent = reciprocal(select.value); });
  });

  // A button that clears a set of checkboxes before its form posts (一键催报: all, not the ticked).
  document.querySelectorAll("[data-uncheck]").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(button.dataset.uncheck).forEach(function (c) { c.checked = false; });
    });
  });

  // A picker that shows its choice at once (without JavaScript, a <noscript> button posts it).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
