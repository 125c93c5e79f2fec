// A background job's page: poll its status while it is queued or running, move the
// progress bar, and reload the page when it has finished (or failed) so the server renders
// the download button or the reason. Without JavaScript the page refreshes itself
// (<noscript> meta refresh in templates/reports/jobs/job.html).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-status-url");
  var active = { queued: true, running: true };
  if (!active[box.getAttribute("data-job-status")]) { return; }
  var label = box.querySelector("[data-job-label]");
  var text = box.querySelector("[data-job-text]");
  var bar = box.querySelector("[data-job-bar]");
  var fill = bar && bar.firstElementChild;
  var failures = 0;

  // A kind may say its own words (templates/reports/jobs/reminders.html); the PDF's are the default.
  var queued = (label && label.getAttribute("data-job-queued")) || "排队中：等待后台任务进程开始生成…";
  var running = (label && label.getAttribute("data-job-running")) || "生成中…";
  var unit = (text && text.getAttribute("data-job-unit")) || "封面和每个单位各算一项";

  function show(job) {
    if (label) {
      label.textContent = job.status === "queued" ? queued : running;
    }
    if (text && job.total) {
      text.textContent = "已完成 " + job.done + " / " + job.total + "（" + unit + "，" + job.percent + "%）";
    }
    if (bar && fill) {
      bar.setAttribute("aria-valuenow", String(job.percent));
      fill.className = fill.className.replace(/\bw-pct-\d+\b/, "w-pct-" + job.percent);
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        // Gone (pruned) or no longer the office's: the page itself says so.
        if (response.status === 404 || response.status === 403) { window.location.reload(); return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        if (job === null) { return; }
        failures = 0;
        if (!active[job.status]) { window.location.reload(); return; }
        show(job);
        setTimeout(poll, 1500);
      })
      .catch(function () {
        // A lost connection or a restarting server: keep trying, more slowly.
        failures += 1;
        if (text && failures > 2) { text.textContent = "暂时无法获取进度，正在重试…"; }
        setTimeout(poll, Math.min(15000, 1500 * failures));
      });
  }
  setTimeout(poll, 1000);
})();
