// Questionnaire page: live progress, a warning before leaving unsaved answers, no double
// posting (the server also makes a replayed submit harmless), focus on the error summary,
// a copy of the typing kept in this browser and put back after a lost login, and a warning
// before the login ends.
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

  // A number box whose content questionnaire-numbers.js refused is not an answer yet.
  function refused(q) { return q.dataset.invalid === "1"; }

  function label(q) {
    // The question's own closing punctuation would double up before "…" or "：".
    var text = (q.dataset.label || "").replace(/\s+/g, " ").trim();
    if (text.length > 44) text = text.slice(0, 43).replace(/[。．.，,；;：:、！!？?]+$/, "") + "…";
    return text.replace(/[。．.，,；;：:、！!？?]+$/, "");
  }

  // Only required items count: the bar reaches 100% when every one of them is answered.
  function update() {
    var done = 0, total = 0, open = [];
    questions.forEach(function (q) {
      var ok = answered(q) && !refused(q);
      if (q.dataset.required === "1") {
        total += 1;
        if (ok) done += 1;
      }
      if ((!ok && q.dataset.required === "1") || refused(q)) open.push(q);
    });
    var pct = total ? Math.round(done * 100 / total) : 100;
    document.getElementById("answered-count").textContent = done;
    document.getElementById("total-count").textContent = total;
    document.getElementById("missing-count").textContent = total - done;
    var bar = document.getElementById("progress-bar");
    bar.style.width = pct + "%";
    bar.parentNode.setAttribute("aria-valuenow", pct);
    showMissing(open, done, total);
  }

  // The submit dialog: what is still missing, with a way there, instead of a 确认提交 the
  // server would refuse.
  var firstOpen = null;
  function showMissing(open, done, total) {
    var text = document.getElementById("confirm-progress");
    if (!text) return;
    firstOpen = open[0] || null;
    var list = document.getElementById("confirm-missing-list");
    list.hidden = !open.length;
    document.getElementById("confirm-ready").hidden = !!open.length;
    document.getElementById("confirm-submit-button").hidden = !!open.length;
    document.getElementById("confirm-go-missing").hidden = !open.length;
    document.getElementById("confirm-title").textContent = open.length ? "还不能提交" : "确认提交答卷？";
    if (!open.length) {
      text.textContent = "必答题已全部作答（" + done + " / " + total + " 道）。";
      return;
    }
    var unanswered = open.filter(function (q) { return !refused(q); }).length;
    var wrong = open.length - unanswered;
    var parts = [];
    if (unanswered) parts.push(unanswered + " 道必答题未作答");
    if (wrong) parts.push(wrong + " 道题的数字不符合要求");
    text.textContent =
      "还有 " + parts.join("，") + "，请补充后再提交。" + (open.length > 5 ? "前 5 道是：" : "");
    list.textContent = "";
    open.slice(0, 5).forEach(function (q) {
      var li = document.createElement("li");
      li.textContent = label(q);
      list.appendChild(li);
    });
  }

  function inputOf(q) {
    return q.querySelector("input:not([type=hidden]):not([type=checkbox]), textarea") ||
      q.querySelector("input:not([type=hidden])");
  }

  var dialog = document.getElementById("confirm-submit");
  if (dialog) {
    var goTo = null;
    document.getElementById("confirm-go-missing").addEventListener("click", function () {
      goTo = firstOpen;
      window.rongheHideModal(dialog);
    });
    // After the dialog has closed, and after Bootstrap's own handler has given focus back
    // to 提交 (it runs after this one), hence the timeout.
    dialog.addEventListener("hidden.bs.modal", function () {
      if (!goTo) return;
      var q = goTo;
      goTo = null;
      window.setTimeout(function () {
        q.scrollIntoView({ block: "center" });
        var input = inputOf(q);
        if (input) input.focus({ preventScroll: true });
      }, 0);
    });
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
  // The typing kept in this browser. A POST after the login ended is redirected to the login
  // page, and one carrying a stale CSRF token (after logging in again elsewhere) is refused:
  // either way the server never sees what was typed, and it must not accept an
  // unauthenticated POST. So the page keeps a copy in localStorage (it outlives the tab and
  // the night) under a key naming the user, round and branch; only a page of that same user
  // reads it back, and typed-copies.js removes other users' copies when someone logs in.
  // The copy is written on every change and just before posting; a later page whose saved
  // answers equal it drops it, one whose answers differ puts it back into the form.
  var copyKey = form.dataset.copyKey;
  var versionInput = form.querySelector("input[name=version]");

  function fieldValues() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !/^(q|na)_/.test(el.name)) return;
      if (el.type === "radio") {
        if (!(el.name in values)) values[el.name] = "";
        if (el.checked) values[el.name] = el.value;
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked ? "1" : "";
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  // As the server stores it: text trimmed, 3.50 the same number as 3.5.
  function normal(name, value) {
    value = (value || "").trim();
    var el = form.elements[name];
    if (el && el.type === "number" && value !== "" && !isNaN(Number(value))) {
      return String(Number(value));
    }
    return value;
  }

  function sameAsForm(values) {
    var current = fieldValues();
    return Object.keys(values).every(function (name) {
      return !(name in current) || normal(name, values[name]) === normal(name, current[name]);
    });
  }

  function keepCopy() {
    if (!copyKey) return;
    try {
      localStorage.setItem(copyKey, JSON.stringify(
        { base: Number(versionInput.value), at: Date.now(), values: fieldValues() }));
    } catch (e) { /* storage full or disabled: the server copy is all there is */ }
  }

  function storedCopy() {
    try {
      var copy = JSON.parse(localStorage.getItem(copyKey) || "null");
      return copy && copy.values ? copy : null;
    } catch (e) { return null; }
  }

  function forgetCopy() {
    try { localStorage.removeItem(copyKey); } catch (e) { /* nothing kept */ }
  }

  function putBack(values) {
    Object.keys(values).forEach(function (name) {
      var value = values[name];
      form.querySelectorAll("[name='" + name.replace(/['\\]/g, "") + "']").forEach(function (el) {
        if (el.type === "radio") el.checked = el.value === value;
        else if (el.type === "checkbox") el.checked = value === "1";
        else el.value = value;
      });
    });
  }

  if (copyKey && form.dataset.restore === "1") {
    var copy = storedCopy();
    if (copy && sameAsForm(copy.values)) {
      forgetCopy();  // saved: the server holds exactly this
    } else if (copy) {
      putBack(copy.values);
      dirty = true;
      var notice = document.getElementById("restored-notice");
      if (notice) {
        if (copy.base < Number(versionInput.value)) {
          document.getElementById("restored-text").textContent =
            "您上次填写但未能保存的内容已恢复，请核对后保存。注意：在此期间这份答卷已在其他窗口或设备上保存过，" +
            "保存后将以本页内容为准。";
        }
        notice.hidden = false;
        document.getElementById("restored-discard").addEventListener("click", function () {
          forgetCopy();
          dirty = false;
          window.location.reload();
        });
      }
    }
  } else if (dirty) {
    keepCopy();  // a re-shown POST: the server kept none of it
  }

  form.addEventListener("input", function () { dirty = true; update(); keepCopy(); });
  form.addEventListener("change", function () { dirty = true; update(); keepCopy(); });
  // An autosave under way holds the version this post must carry: wait for it.
  var waiting = null;
  form.addEventListener("ronghe:autosave-done", function (event) {
    keepCopy();  // the copy's base is the new version
    if (event.detail && event.detail.clean) dirty = false;
    if (waiting) {
      var submitter = waiting;
      waiting = null;
      if (form.requestSubmit) form.requestSubmit(submitter); else submitter.click();
    }
  });
  form.addEventListener("submit", function (event) {
    if (form.dataset.posting === "1") { event.preventDefault(); return; }
    if (form.dataset.autosaving === "1") {
      event.preventDefault();
      waiting = event.submitter || document.getElementById("save-button");
      return;
    }
    keepCopy();  // whatever becomes of this POST, the typing is in this browser
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

  // The login lasts a fixed time from logging in (no SESSION_SAVE_EVERY_REQUEST): from ten
  // minutes before its end, a banner offers 保存草稿. The server gives the seconds left, so
  // a wrong clock on the phone does not matter.
  var warning = document.getElementById("session-warning");
  var endsIn = Number(form.dataset.loginEndsIn);
  if (warning && form.dataset.loginEndsIn && !isNaN(endsIn)) {
    var endsAt = Date.now() + endsIn * 1000;
    var end = new Date(endsAt);
    var clock = end.getHours() + ":" + String(end.getMinutes()).padStart(2, "0");
    var checkLogin = function () {
      var left = endsAt - Date.now();
      if (left > 10 * 60 * 1000) return;
      warning.hidden = false;
      document.getElementById("session-warning-text").textContent = left > 0
        ? "您的登录将于 " + clock + " 到期（还有约 " + Math.max(1, Math.round(left / 60000)) +
          " 分钟），到期后需要重新登录。请先点“保存草稿”保存已填写的内容。"
        : "您的登录已于 " + clock + " 到期。您填写的内容已保存在本浏览器中：点“保存草稿”后" +
          "请重新登录，登录后这些内容会自动恢复到问卷中，核对后再保存。";
    };
    document.getElementById("session-warning-save").addEventListener("click", function () {
      var save = document.getElementById("save-button");
      if (form.requestSubmit) form.requestSubmit(save); else save.click();
    });
    checkLogin();
    window.setInterval(checkLogin, 15000);
  }

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
