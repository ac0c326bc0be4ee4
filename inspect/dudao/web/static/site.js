/* Every page: a question before an action that cannot be undone (a button or form with
   data-confirm), and the phone's menu folded behind its button. Plain JavaScript; the
   pages work without it (every action is taken at once, the menu stays open). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

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
