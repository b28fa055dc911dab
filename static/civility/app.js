// civility: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Toasts fade out after a few seconds.
  function dismissToasts(root) {
    root.querySelectorAll(".toast").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 5000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { dismissToasts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { dismissToasts(event.target); });
})();
