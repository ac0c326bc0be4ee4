/* Every page: a question before an action that cannot be undone (a button or form with
   data-confirm), a table wider than its box scrollable from the keyboard, and the phone's
   menu folded behind its button. Plain JavaScript; the pages work without it (every action
   is taken at once, wide tables scroll with a pointer, the menu stays open). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A table or chart box that scrolls sideways takes the focus (then the arrow keys scroll
  // it) when nothing in it can; one that fits is no tab stop.
  function scrollable() {
    var boxes = document.querySelectorAll(".table-wrap, .table, .chart");
    Array.prototype.forEach.call(boxes, function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.querySelector("a[href], button, input, select, textarea, [tabindex]")) {
        box.tabIndex = 0;
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  scrollable();
  window.addEventListener("resize", scrollable);

  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("mainnav");
  if (!toggle || !nav) return;
  nav.classList.add("folded");  // only a phone's style hides a folded menu
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = nav.classList.toggle("folded") === false;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
