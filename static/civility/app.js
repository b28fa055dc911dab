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
})();

// === inspections (督查): "获取位置" fills the optional coordinates of a problem =================
// Progressive: the button is hidden in the HTML and only shown where geolocation exists.
(function () {
  "use strict";

  function reveal(root) {
    if (!("geolocation" in navigator)) { return; }
    root.querySelectorAll("[data-geolocate][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-geolocate]");
    if (!button) { return; }
    event.preventDefault();
    var form = button.closest("form");
    var status = form.querySelector("[data-geolocate-status]");
    function say(text) { if (status) { status.textContent = text; } }
    say("正在定位…");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
      form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
      say("已获取位置（精度约 " + Math.round(position.coords.accuracy) + " 米）。");
      button.disabled = false;
    }, function () {
      say("无法获取位置，请检查定位权限，或手动填写。");
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();

// ==== commentary: the print button of printable documents (点评单) ====
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();

// ==== problems: the "select all" tick box of 批量交办 ====
// <input data-check-all="FORM_ID"> ticks or clears every checkbox tied to that form (form="FORM_ID").
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) { return; }
    var formId = all.getAttribute("data-check-all");
    document.querySelectorAll('input[type=checkbox][form="' + formId + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();

// ==== reports (通报): the 打印 button of the report print view ====
// <button data-report-print> opens the browser's print dialog (the A4 layout is document.css).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-report-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();

// ==== QA pass: on a phone the main navigation scrolls sideways; bring the current section into view ====
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".mainnav");
    var current = nav && nav.querySelector('[aria-current="page"]');
    if (!current || nav.scrollWidth <= nav.clientWidth) { return; }
    var left = current.getBoundingClientRect().left - nav.getBoundingClientRect().left + nav.scrollLeft;
    nav.scrollLeft = Math.max(0, left - (nav.clientWidth - current.offsetWidth) / 2);
  });
})();

// ==== error pages: 返回上一页 ====
// <a data-history-back href="/"> goes back in the browser's history; without history (or without
// this file) it is a plain link to its href.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
