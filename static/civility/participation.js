// civility 全民参与: the site search of the suggestion form (a phone-first page).
// Progressive: without JavaScript the search box stays hidden and the <select> of sites is used.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-site-search][hidden]").forEach(function (row) {
      row.hidden = false;
    });
  });

  // A search result sets the form's site select, then the results are cleared.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-site]");
    if (!button) { return; }
    event.preventDefault();
    var form = button.closest("form");
    var select = form.querySelector("select[name=site]");
    select.value = button.getAttribute("data-pick-site");
    select.dispatchEvent(new Event("change", { bubbles: true }));
    form.querySelector("#site-results").innerHTML = "";
    var query = form.querySelector("#site-query");
    if (query) { query.value = ""; }
    select.classList.add("just-picked");
    setTimeout(function () { select.classList.remove("just-picked"); }, 1500);
  });
})();

// <select data-autosubmit> submits its (GET) form when changed: the year of a series page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });
})();
