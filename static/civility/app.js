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

  // An export can take seconds for a long list (it streams as it is written): say so at once.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".exports a[download]");
    var box = link && link.closest(".exports");
    if (box && box.dataset.exportNote) { showToast(box.dataset.exportNote, "info"); }
  });

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

// ==== reports (通报): long work shows progress ====
// A plain <form data-busy> (no htmx) shows its .htmx-indicator while the next page loads, as htmx
// does for its own requests. <a data-download> (Word, Excel) is fetched in the page so that the
// link can say "正在生成…" until the file arrives; without fetch it stays a plain link.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-busy]");
    if (form && !form.hasAttribute("hx-post")) {
      form.classList.add("htmx-request");
      var button = form.querySelector("button[type=submit]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    }
  });

  function filename(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename\*=utf-8''([^;]+)/i.exec(header);
    return match ? decodeURIComponent(match[1]) : fallback;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-download]");
    if (!link || !window.fetch || !window.URL || link.classList.contains("htmx-request")) { return; }
    event.preventDefault();
    link.classList.add("htmx-request");
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var save = document.createElement("a");
        save.href = url;
        save.download = filename(response, "download");
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      });
    }).catch(function () {
      window.location.href = link.href;
    }).finally(function () {
      link.classList.remove("htmx-request");
      link.removeAttribute("aria-busy");
    });
  });
})();

// ==== daily use on a phone (issue 10) ====
// The tab bar says where more tabs hide (classes more-left / more-right, drawn by app.css), and the
// problem list's folded filters open by themselves on a wide screen and count what is set.
(function () {
  "use strict";
  var WIDE = "(min-width: 641px)";

  function markNav(nav) {
    var max = nav.scrollWidth - nav.clientWidth;
    nav.classList.toggle("more-left", nav.scrollLeft > 2);
    nav.classList.toggle("more-right", max > 2 && nav.scrollLeft < max - 2);
  }

  function countFilters(panel) {
    var badge = panel.querySelector("[data-filter-count]");
    var form = panel.querySelector("form");
    if (!badge || !form) { return; }
    var n = 0;
    form.querySelectorAll("input[name], select[name]").forEach(function (field) {
      if (field.type === "hidden" || field.type === "submit") { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      if (String(field.value).trim() !== "") { n += 1; }
    });
    badge.textContent = n ? String(n) : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".mainnav");
    if (nav) {
      markNav(nav);
      nav.addEventListener("scroll", function () { markNav(nav); }, { passive: true });
      window.addEventListener("resize", function () { markNav(nav); });
    }
    document.querySelectorAll("[data-filter-panel]").forEach(function (panel) {
      if (window.matchMedia(WIDE).matches) { panel.open = true; }
      panel.addEventListener("change", function () { countFilters(panel); });
    });
  });
})();
