// The cabinet's own script: the side menu's expanded state, remembered in this browser without a server round trip;
// the resend countdown; the copy buttons of «Как оплатить».
(function () {
  "use strict";
  // The page's styles for a browser that runs this script (without it, the menu opens as a link: portal.css).
  document.documentElement.classList.add("js");
  var KEY = "portal.menu";

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "expanded"; } catch (e) { return false; }
  }

  function remember(expanded) {
    try { window.localStorage.setItem(KEY, expanded ? "expanded" : "collapsed"); } catch (e) { /* private mode */ }
  }

  function setExpanded(menu, expanded) {
    menu.dataset.expanded = expanded ? "true" : "false";
    var toggle = menu.querySelector(".menu-toggle");
    if (toggle) { toggle.setAttribute("aria-expanded", expanded ? "true" : "false"); }
    document.body.classList.toggle("menu-expanded", expanded);
  }

  // On a phone the expanded menu covers the page, so it opens only when asked, never on arrival.
  function narrow() { return window.matchMedia("(max-width: 720px)").matches; }

  function init() {
    var menu = document.getElementById("side-menu");
    if (!menu) { return; }
    setExpanded(menu, remembered() && !narrow());
    menu.querySelector(".menu-toggle").addEventListener("click", function () {
      var expanded = menu.dataset.expanded !== "true";
      setExpanded(menu, expanded);
      remember(expanded);
    });
    // The manual: any item's icon also expands the menu; the page it leads to opens with the menu expanded.
    menu.querySelectorAll(".menu-item").forEach(function (item) {
      item.addEventListener("click", function () { if (!narrow()) { remember(true); } });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.dataset.expanded === "true" && narrow()) {
        setExpanded(menu, false);
        remember(false);
        menu.querySelector(".menu-toggle").focus();
      }
    });
  }

  // «Отправить код повторно»: disabled with a visible countdown until the server will accept it.
  function countdowns(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (button) {
      if (button.dataset.counting) { return; }
      var left = parseInt(button.dataset.countdown, 10) || 0;
      if (left <= 0) { return; }
      button.dataset.counting = "true";
      button.disabled = true;
      var timer = window.setInterval(function () {
        left -= 1;
        if (left <= 0) {
          window.clearInterval(timer);
          button.disabled = false;
          button.textContent = button.dataset.countdownLabel;
        } else {
          button.textContent = button.dataset.countdownWait.replace("{s}", String(left));
        }
      }, 1000);
    });
  }

  // «Копировать»: the buttons stay hidden unless the clipboard can be written; the value is plain text anyway.
  function copyButtons(root) {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.copyReady) { return; }
      button.dataset.copyReady = "true";
      button.hidden = false;
      var status = button.parentNode.querySelector(".copy-status");
      var timer = null;
      function say(text) {
        if (!status) { return; }
        status.textContent = text;
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { status.textContent = ""; }, 5000);
      }
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.dataset.copy).then(
          function () { say(button.dataset.copied); },
          function () { say(button.dataset.copyFailed); }
        );
      });
    });
  }

  // Documents take a moment to prepare: a download link says so until the browser has had time to start it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-preparing]") : null;
    if (!link) { return; }
    var status = link.parentNode.querySelector(".preparing");
    if (!status) {
      status = document.createElement("span");
      status.className = "preparing";
      status.setAttribute("role", "status");
      link.parentNode.appendChild(status);
    }
    status.textContent = link.dataset.preparing;
    window.setTimeout(function () { status.textContent = ""; }, 8000);
  });

  document.addEventListener("DOMContentLoaded", function () { countdowns(document); copyButtons(document); });
  document.addEventListener("htmx:load", function (event) { countdowns(event.target); copyButtons(event.target); });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
