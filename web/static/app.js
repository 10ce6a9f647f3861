// Polls a screening job's progress and reloads the page when it has finished.
// Served from this origin only: the Content-Security-Policy allows no inline script.
"use strict";
(function () {
  const job = document.getElementById("job");
  if (!job || !["queued", "running"].includes(job.dataset.status)) {
    return;
  }
  const bar = document.getElementById("job-progress");
  const count = document.getElementById("job-count");
  async function poll() {
    try {
      const response = await fetch(job.dataset.progressUrl, {credentials: "same-origin"});
      if (response.ok) {
        const state = await response.json();
        document.getElementById("job-status").textContent = state.status_label;
        document.getElementById("job-stage").textContent = state.stage || "";
        if (bar && state.total) {
          bar.max = state.total;
          bar.value = state.done;
          count.textContent = state.done + " / " + state.total;
        }
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // network hiccup: try again on the next tick
    }
    window.setTimeout(poll, 700);
  }
  window.setTimeout(poll, 300);
})();
