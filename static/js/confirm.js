// The app's own confirmation dialog (a Bootstrap modal, as 提交 on the questionnaire page),
// instead of the browser's window.confirm box, which says "127.0.0.1 显示" above our words.
//
// <form data-confirm="确认……？" data-confirm-ok="提前结束"> asks before it posts; the button
// that was pressed (name/value included) is the one that posts after 确认. Other scripts
// ask through window.rongheConfirm(message, onConfirm, okLabel). Without JavaScript the
// forms simply post: the server checks every action anyway.
(function () {
  "use strict";
  if (!window.bootstrap) return;

  // Bootstrap ignores hide() while a dialog is still fading in: a button in it pressed that
  // early ran its action and left the dialog open over the page, taking every click (seen
  // in a browser test under load). window.rongheHideModal(dialog) closes it at once, or as
  // soon as it has finished opening. Every dialog's script closes it through this.
  document.addEventListener("show.bs.modal", function (event) {
    event.target.dataset.opening = "1";
  });
  document.addEventListener("shown.bs.modal", function (event) {
    var dialog = event.target;
    delete dialog.dataset.opening;
    if (dialog.dataset.closeWhenOpen) {
      delete dialog.dataset.closeWhenOpen;
      bootstrap.Modal.getOrCreateInstance(dialog).hide();
    }
  });
  document.addEventListener("hidden.bs.modal", function (event) {
    delete event.target.dataset.opening;
    delete event.target.dataset.closeWhenOpen;
  });
  window.rongheHideModal = function (dialog) {
    if (dialog.dataset.opening) dialog.dataset.closeWhenOpen = "1";
    else bootstrap.Modal.getOrCreateInstance(dialog).hide();
  };

  var element = document.getElementById("confirm-dialog");
  if (!element) return;
  var modal = bootstrap.Modal.getOrCreateInstance(element);
  var message = document.getElementById("confirm-dialog-message");
  var ok = document.getElementById("confirm-dialog-ok");
  var pending = null;

  function ask(text, onConfirm, okLabel) {
    message.textContent = text;
    ok.textContent = okLabel || "确认";
    pending = onConfirm;
    modal.show();
  }

  ok.addEventListener("click", function () {
    var action = pending;
    pending = null;
    window.rongheHideModal(element);
    if (action) action();
  });
  element.addEventListener("shown.bs.modal", function () {
    if (!element.dataset.closeWhenOpen) ok.focus();
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
