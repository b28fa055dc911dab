// civility: small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function showToast(message, level) {
    var box = document.querySelector(".toasts");
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "info");
    toast.textContent = message;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 5000);
  }

  function dismissToasts(root) {
    root.querySelectorAll(".toast").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 5000);
    });
  }

  function modal() { return document.getElementById("modal"); }

  document.addEventListener("DOMContentLoaded", function () { dismissToasts(document); });

  // Server-sent events via HX-Trigger: {"toast": {"message": ..., "level": ...}}, "closeModal".
  document.body.addEventListener("toast", function (event) {
    showToast(event.detail.message, event.detail.level);
  });
  document.body.addEventListener("closeModal", function () {
    var dialog = modal();
    if (dialog && dialog.open) { dialog.close(); }
  });

  // Anything swapped into the modal opens it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var dialog = modal();
    if (dialog && event.detail.target === dialog.querySelector(".modal-body")) {
      if (!dialog.open) { dialog.showModal(); }
      var first = dialog.querySelector("input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-modal]");
    if (closer) {
      event.preventDefault();
      var dialog = modal();
      if (dialog) { dialog.close(); }
    }
  });

  // A failed request (network down, server error) says so instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showToast(status === 403 ? "没有权限执行此操作。" : "操作失败（" + status + "），请稍后重试。", "error");
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("网络连接失败，请检查网络后重试。", "error");
  });

  // Buttons with data-confirm ask first (used for irreversible actions).
  document.body.addEventListener("htmx:confirm", function (event) {
    var message = event.detail.elt.getAttribute("data-confirm");
    if (message) {
      event.preventDefault();
      if (window.confirm(message)) { event.detail.issueRequest(true); }
    }
  });
})();
