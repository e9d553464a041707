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
    if (el.getAttribute && el.getAttribute("data-announce")) {
      announce(el.getAttribute("data-announce"));
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

// --- Case page: @mention suggestions in the note box ---------------------------------------
// Typing "@" and the start of a colleague's name or email shows up to eight matching staff as
// buttons under the box, announced in a polite live region. Down arrow moves from the box into
// the list, up/down move through it, Enter (or a click) inserts "@handle " at the caret and
// returns to the box, Escape closes the list. Without JavaScript, typing @handle works the same.
(function () {
  "use strict";

  var timer = null;

  function container(el) { return el.closest && el.closest("[data-mentions]"); }
  function input(box) { return box.querySelector("[data-mention-input]"); }
  function list(box) { return box.querySelector("[data-mention-suggestions]"); }
  function say(box, text) {
    var status = box.querySelector("[data-mention-status]");
    if (status) status.textContent = text;
  }

  // The "@partial" just before the caret, if the caret is at the end of one.
  function tokenAt(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|[\s(,;])@([A-Za-z0-9._%+-]*)$/.exec(before);
    return match ? { text: match[2], start: before.length - match[2].length - 1, end: before.length } : null;
  }

  function close(box) {
    list(box).innerHTML = "";
  }

  function suggest(textarea) {
    var box = container(textarea);
    var token = tokenAt(textarea);
    if (!token || !token.text) { close(box); return; }
    var url = box.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(token.text);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var now = tokenAt(textarea);
        if (!now || now.text !== token.text) return;  // typed on meanwhile; a newer request follows
        list(box).innerHTML = html;
        var count = list(box).querySelectorAll("[data-mention]").length;
        say(box, count ? count + (count === 1 ? " colleague matches" : " colleagues match") +
          ". Press the down arrow to choose." : "No colleague matches @" + token.text + ".");
      });
  }

  function choose(option) {
    var box = container(option);
    var textarea = input(box);
    var token = tokenAt(textarea);
    var handle = "@" + option.getAttribute("data-mention") + " ";
    if (token) {
      textarea.value = textarea.value.slice(0, token.start) + handle + textarea.value.slice(token.end);
      var caret = token.start + handle.length;
      textarea.focus();
      textarea.setSelectionRange(caret, caret);
    } else {
      textarea.focus();
    }
    close(box);
    say(box, "Mentioned " + handle.trim() + ".");
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target.matches && target.matches("[data-mention-input]"))) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { suggest(target); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.matches) return;
    var box = container(target);
    if (!box) return;
    if (target.matches("[data-mention-input]")) {
      var first = list(box).querySelector("[data-mention]");
      if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
      else if (event.key === "Escape" && first) { event.preventDefault(); close(box); }
      return;
    }
    if (!target.matches("[data-mention]")) return;
    var options = Array.prototype.slice.call(list(box).querySelectorAll("[data-mention]"));
    var index = options.indexOf(target);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      (options[index + 1] || options[0]).focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index === 0) input(box).focus(); else options[index - 1].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(box);
      input(box).focus();
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-mention]");
    if (option && container(option)) choose(option);
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
