// 催报 on a round's page: the confirmation says how many branches will be reminded before
// anything is sent. 一键催报 uses the count the server worked out (data-confirm-all); 催报所选
// counts the ticked boxes. The dialog itself is confirm.js's, which listens on the document:
// this listener on the form runs first and only sets the text.
(function () {
  "use strict";
  var form = document.getElementById("remind-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    if (form.dataset.confirmed === "1") return;
    var submitter = event.submitter;
    if (submitter && submitter.id === "remind-all") {
      form.dataset.confirm = form.dataset.confirmAll;
      return;
    }
    var chosen = form.querySelectorAll("input[name=branch]:checked").length;
    form.dataset.confirm = chosen
      ? "将向所选的 " + chosen + " 个支部发送催报（有邮箱的同时发送邮件，其余只在系统内提醒）；24 小时内已催报过的不会重复发送。确认发送？"
      : "您还没有勾选支部。发送后系统会提示您先勾选，或改用“一键催报”。继续？";
  }, true);
})();
