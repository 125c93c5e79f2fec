// 佐证材料 on the questionnaire page and the read-only submission page.
//
// The questionnaire page: each item that allows evidence has a .evidence-area. The files are
// listed from the server (#evidence-page data-list-url), uploaded one by one with fetch to a
// JSON endpoint and removed after the app's own dialog (window.rongheConfirm). Nothing here
// posts the questionnaire form, so answers typed but not yet saved stay on the page.
// Required-evidence items without a file stop 提交 and are listed with links, as missing
// answers are; the server refuses such a submit too.
//
// The submission page: #evidence-page data-list-url gives the files of the version shown,
// listed read-only under each answer ([data-evidence-question]).
(function () {
  "use strict";
  var page = document.getElementById("evidence-page");
  if (!page || !window.fetch) return;
  var form = document.getElementById("questionnaire-form");
  var token = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
  var areas = {};
  document.querySelectorAll("[data-evidence-question]").forEach(function (area) {
    areas[area.dataset.evidenceQuestion] = area;
  });

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function status(area, text, isError) {
    var box = area.querySelector(".evidence-status");
    if (!box) return;
    box.textContent = text || "";
    box.classList.toggle("text-danger", !!isError);
    box.classList.toggle("text-body-secondary", !isError);
  }

  function addItem(area, file) {
    var list = area.querySelector(".evidence-list");
    var li = document.createElement("li");
    li.className = "evidence-item";
    li.dataset.evidenceId = file.id;
    var link = document.createElement("a");
    link.href = file.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "evidence-link";
    if (file.thumbnail) {
      var img = document.createElement("img");
      img.src = file.thumbnail;
      img.alt = file.name;
      img.className = "evidence-thumb";
      link.appendChild(img);
    } else {
      var badge = document.createElement("span");
      badge.className = "evidence-kind";
      badge.textContent = file.kind.toUpperCase();
      link.appendChild(badge);
    }
    var name = document.createElement("span");
    name.className = "evidence-name";
    name.textContent = file.name + "（" + sizeText(file.size) + "）";
    link.appendChild(name);
    li.appendChild(link);
    if (file.remove) {
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-link text-danger evidence-remove";
      remove.textContent = "删除";
      remove.setAttribute("aria-label", "删除 " + file.name);
      remove.addEventListener("click", function () {
        var ask = window.rongheConfirm || function (text, ok) { if (window.confirm(text)) ok(); };
        ask("确认删除佐证材料“" + file.name + "”？", function () { removeFile(area, li, file); }, "删除");
      });
      li.appendChild(remove);
    }
    list.appendChild(li);
    area.classList.add("has-files");
    refreshMissing(false);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" },
    }).then(function (response) {
      if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
        throw new Error("您的登录已过期或网络异常，文件没有上传。请在新窗口重新登录后再试（本页填写的内容仍在）。");
      }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "上传失败，请重试。");
        return data;
      });
    }, function () {
      throw new Error("网络连接失败，文件没有上传。请检查网络后重试（本页填写的内容仍在）。");
    });
  }

  function upload(area, files) {
    var queue = Array.prototype.slice.call(files);
    var errors = [];
    function next() {
      var file = queue.shift();
      if (!file) {
        status(area, errors.join(" "), errors.length > 0);
        return;
      }
      status(area, "正在上传“" + file.name + "”……", false);
      var body = new FormData();
      body.append("file", file);
      post(area.dataset.uploadUrl, body).then(function (data) {
        addItem(area, data.file);
      }, function (error) {
        errors.push(error.message);
      }).then(next);
    }
    next();
  }

  function removeFile(area, li, file) {
    status(area, "正在删除……", false);
    post(file.remove, new FormData()).then(function () {
      li.remove();
      status(area, "已删除“" + file.name + "”。", false);
      refreshMissing(false);
    }, function (error) { status(area, error.message, true); });
  }

  function missing() {
    return Object.keys(areas).filter(function (code) {
      var area = areas[code];
      return area.dataset.evidenceRequired === "1" && !area.querySelector(".evidence-item");
    });
  }

  function refreshMissing(show) {
    var box = document.getElementById("evidence-missing");
    if (!box) return [];
    var codes = missing();
    var list = box.querySelector("ul");
    if (!codes.length) {
      box.classList.add("d-none");
      return codes;
    }
    if (!show && box.classList.contains("d-none")) return codes;
    list.textContent = "";
    codes.forEach(function (code) {
      var question = document.getElementById("q-" + code);
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#q-" + code;
      a.textContent = question && question.dataset.label ? question.dataset.label : code;
      li.appendChild(a);
      list.appendChild(li);
    });
    box.classList.remove("d-none");
    return codes;
  }

  Object.keys(areas).forEach(function (code) {
    var area = areas[code];
    var input = area.querySelector(".evidence-input");
    if (!input) return;
    input.addEventListener("change", function () {
      if (input.files && input.files.length) upload(area, input.files);
      input.value = "";
    });
  });

  fetch(page.dataset.listUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data) return;
      data.files.forEach(function (file) {
        if (areas[file.question]) addItem(areas[file.question], file);
      });
      document.querySelectorAll(".evidence-limits").forEach(function (el) { el.textContent = data.limits; });
      if (form && form.dataset.unsaved === "1") refreshMissing(true);
    }, function () {});

  // 确认提交 with required evidence missing: say which items, linked, instead of posting.
  var confirmButton = document.getElementById("confirm-submit-button");
  var dialog = document.getElementById("confirm-submit");
  if (confirmButton && form && dialog) {
    // The dialog says it too, beside the count of answered items.
    dialog.addEventListener("show.bs.modal", function () {
      var note = document.getElementById("confirm-evidence");
      var codes = missing();
      if (!note) {
        note = document.createElement("p");
        note.id = "confirm-evidence";
        note.className = "text-danger mb-2";
        var ready = document.getElementById("confirm-ready");
        ready.parentNode.insertBefore(note, ready);
      }
      note.hidden = !codes.length;
      note.textContent = codes.length
        ? "还有 " + codes.length + " 道题必须上传佐证材料，上传后才能提交。点“确认提交”查看是哪几道题。"
        : "";
    });
    confirmButton.addEventListener("click", function (event) {
      if (!missing().length) return;
      event.preventDefault();
      refreshMissing(true);
      var box = document.getElementById("evidence-missing");
      var show = function () {
        box.scrollIntoView({ block: "start" });
        box.focus({ preventScroll: true });
      };
      if (window.bootstrap) {
        dialog.addEventListener("hidden.bs.modal", show, { once: true });
        window.rongheHideModal(dialog);
      } else {
        show();
      }
    });
  }
})();
