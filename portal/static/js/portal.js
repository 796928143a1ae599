// The cabinet's own script: the side menu's expanded state, remembered in this browser without a server round trip.
(function () {
  "use strict";
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

  function init() {
    var menu = document.getElementById("side-menu");
    if (!menu) { return; }
    setExpanded(menu, remembered());
    menu.querySelector(".menu-toggle").addEventListener("click", function () {
      var expanded = menu.dataset.expanded !== "true";
      setExpanded(menu, expanded);
      remember(expanded);
    });
    // The manual: any item's icon also expands the menu; the page it leads to opens with the menu expanded.
    menu.querySelectorAll(".menu-item").forEach(function (item) {
      item.addEventListener("click", function () { remember(true); });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.dataset.expanded === "true" && window.matchMedia("(max-width: 720px)").matches) {
        setExpanded(menu, false);
        remember(false);
        menu.querySelector(".menu-toggle").focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
