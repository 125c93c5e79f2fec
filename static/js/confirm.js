// The app's own confirmation dialog (a Bootstrap modal, as 提交 on the questionnaire page),
// instead of the browser's window.confirm box, which says "127.0.0.1 显示" above our words.
//
// <form data-confirm="确认……？" data-confirm-ok="提前结束"> asks before it posts; the button
// that was pressed (name/value included) is the one that posts after 确认. Other scripts
// ask through window.rongheConfirm(message, onConfirm, okLabel). Without JavaScript the
// forms simply post: the server checks every action anyway.
(function () {
  "use strict";
  var element = document.getElementById("confirm-dialog");
  if (!element || !window.bootstrap) return;
  var modal = bootstrap.Modal.getOrCreateInstance(element);
  var message = document.getElementById("confirm-dialog-message");
  var ok = document.getElementById("confirm-dialog-ok");
  var pending = null;
  // Bootstrap ignores hide() while the dialog is still fading in: 确认 pressed that early
  // ran the action and left the dialog open over the page (seen in a browser test under
  // load). Then it closes as soon as it has finished opening.
  var opening = false;
  var closeWhenOpen = false;

  function ask(text, onConfirm, okLabel) {
    message.textContent = text;
    ok.textContent = okLabel || "确认";
    pending = onConfirm;
    modal.show();
  }

  ok.addEventListener("click", function () {
    var action = pending;
    pending = null;
    if (opening) closeWhenOpen = true;
    else modal.hide();
    if (action) action();
  });
  element.addEventListener("show.bs.modal", function () { opening = true; });
  element.addEventListener("shown.bs.modal", function () {
    opening = false;
    if (closeWhenOpen) {
      closeWhenOpen = false;
      modal.hide();
    } else {
      ok.focus();
    }
  });
  element.addEventListener("hidden.bs.modal", function () { pending = null; });

  window.rongheConfirm = ask;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    ask(form.dataset.confirm, function () {
      form.dataset.confirmed = "1";
      if (submitter && form.requestSubmit) form.requestSubmit(submitter);
      else if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }, form.dataset.confirmOk);
  });
})();
