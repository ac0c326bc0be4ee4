/* Picking people by name for a field that takes usernames. A list marked
   data-choices-for="FIELD-ID" holds buttons data-add="USERNAME" (scheduling/_inspectors.html):
   a click adds the username to the field, or takes it out again, and each button shows
   whether the field holds its username (aria-pressed), also after typing. The field stays
   the form's one value; without JavaScript it simply takes typed usernames. */
(function () {
  "use strict";

  // As scheduling.forms.split_names reads the field.
  var SEPARATORS = /[\s,;，；、]+/;

  function named(input) {
    return input.value.split(SEPARATORS).filter(Boolean);
  }

  function show(input, box) {
    var now = named(input);
    Array.prototype.forEach.call(box.querySelectorAll("button[data-add]"), function (button) {
      var held = now.indexOf(button.getAttribute("data-add")) >= 0;
      button.setAttribute("aria-pressed", held ? "true" : "false");
    });
  }

  function start(box) {
    var input = document.getElementById(box.getAttribute("data-choices-for"));
    if (!input) return;
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-add]");
      if (!button) return;
      var now = named(input);
      var name = button.getAttribute("data-add");
      var at = now.indexOf(name);
      if (at >= 0) now.splice(at, 1);
      else now.push(name);
      input.value = now.join(", ");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    input.addEventListener("input", function () { show(input, box); });
    show(input, box);
  }

  function begin() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-choices-for]"), start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})();
