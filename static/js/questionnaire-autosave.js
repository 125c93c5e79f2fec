// Questionnaire page: the draft saved by itself, 20 s after the last change (and at once when
// the page is hidden, as when a phone locks), through the same save as 保存草稿 with the
// version lock. On success the form takes the new version and says "已自动保存 hh:mm"; when
// the lock refuses (saved elsewhere), the round has closed or the login has ended, it stops
// and says so: 保存草稿 then shows the way on. It never submits.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !form.dataset.copyKey) return;
  var versionInput = form.querySelector("input[name=version]");
  var timer = null, changes = 0, stopped = false;

  function delay() { return Number(form.dataset.autosaveDelay) || 20000; }

  function schedule() {
    if (stopped) return;
    changes += 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(run, delay());
  }

  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle("text-danger", !!bad);
  }

  function stop(message) {
    stopped = true;
    window.clearTimeout(timer);
    timer = null;
    say(message, true);
  }

  function finish(clean) {
    form.dataset.autosaving = "";
    form.dispatchEvent(new CustomEvent("ronghe:autosave-done", { detail: { clean: clean } }));
  }

  function run() {
    timer = null;
    if (stopped || form.dataset.posting === "1") return;
    var sent = changes;
    var data = new FormData(form);
    data.set("action", "save");
    data.set("autosave", "1");
    form.dataset.autosaving = "1";
    say("正在自动保存…");
    window.fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      // A login that ended is a redirect to the login page; a refused CSRF token a 403.
      if (response.type === "opaqueredirect" || response.status === 403) {
        throw { login: true };
      }
      return response.json();
    }).then(function (body) {
      if (!body.saved) {
        stop(body.message || "自动保存未成功，已停止。请点“保存草稿”。");
        finish(false);
        return;
      }
      versionInput.value = body.version;
      var refused = Object.keys(body.errors || {}).length;
      say("已自动保存 " + body.saved_at +
        (refused ? "（" + refused + " 道题的数字不符合要求，未保存）" : ""), refused > 0);
      finish(changes === sent && !refused);
    }).catch(function (error) {
      if (error && error.login) {
        stop("登录已失效，自动保存已停止。您填写的内容已保存在本浏览器中：请点“保存草稿”，" +
          "重新登录后这些内容会自动恢复。");
      } else {
        say("网络不通，自动保存未成功，稍后再试。", true);
        timer = window.setTimeout(run, delay());
      }
      finish(false);
    });
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // A post that goes ahead (保存草稿 or 提交) ends autosaving on this page.
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    stopped = true;
    window.clearTimeout(timer);
  });
  // Hidden while staying (a phone locking, another app): save now. Not while the page is
  // being left, where the request would race the next page (the typing is in this
  // browser's copy either way).
  var leaving = false;
  window.addEventListener("pagehide", function () { leaving = true; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer && !leaving) {
      window.clearTimeout(timer);
      run();
    }
  });
})();
