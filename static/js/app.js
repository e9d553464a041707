// Small progressive enhancements for the staff pages. Every page works without this file:
// forms post and redirect, links navigate. With it, htmx swaps keep GOV.UK components alive,
// screen readers hear about new offers, and focus goes somewhere sensible after a swap.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("app-announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function offerCount(el) {
    var value = el && el.getAttribute("data-offer-count");
    return value ? parseInt(value, 10) : 0;
  }

  var lastOfferCount = null;

  document.addEventListener("DOMContentLoaded", function () {
    lastOfferCount = offerCount(document.getElementById("presence"));
  });

  // New content from htmx: start its GOV.UK components, move focus to an error summary if the
  // server refused something, and tell screen reader users about offers that arrived.
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail.elt;
    if (window.appInitGovuk) window.appInitGovuk(el);
    var summary = el.querySelector && el.querySelector(".govuk-error-summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
    if (el.id === "presence") {
      var count = offerCount(el);
      if (lastOfferCount !== null && count > lastOfferCount) {
        announce(count === 1 ? "A case has been offered to you." : count + " cases are offered to you.");
      }
      lastOfferCount = count;
    }
    var focusTarget = el.querySelector && el.querySelector("[data-focus-after-swap]");
    if (focusTarget) {
      focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
  });

  // Drag-and-drop onto an upload zone fills its file input; the form still submits normally.
  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("app-dropzone--active");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) zone.classList.remove("app-dropzone--active");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("app-dropzone--active");
    var input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
    announce("Chosen: " + names);
  });
})();

// --- Job progress (templates/includes/job_progress.html) -----------------------------------
// The bar is re-rendered every two seconds; screen readers hear only that the job has ended,
// not every percent (a new live region inserted by a swap would not be read reliably).
(function () {
  "use strict";
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail.elt;
    var text = el && el.getAttribute && el.getAttribute("data-job-announce");
    var region = document.getElementById("app-announcer");
    if (!text || !region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  });
})();
