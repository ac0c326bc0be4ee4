/* Picking values for a text field that takes several (usernames, tags) from a list. A list
   marked data-choices-for="FIELD-ID" (web/templates/_choices.html) holds buttons
   data-add="VALUE": a click adds the value to the field, or takes it out again, and each
   button shows whether the field holds its value (aria-pressed), also after typing. The
   list says how its field separates values (data-separators, a regular expression, and
   data-joiner), as the form reads them. The field stays the form's one value; without
   JavaScript it simply takes what is typed. */
(function () {
  "use strict";

  function named(input, box) {
    var separators = new RegExp(box.getAttribute("data-separators") || ",");
    return input.value.split(separators).map(function (v) { return v.trim(); }).filter(Boolean);
  }

  function show(input, box) {
    var now = named(input, box);
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
      var now = named(input, box);
      var value = button.getAttribute("data-add");
      var at = now.indexOf(value);
      if (at >= 0) now.splice(at, 1);
      else now.push(value);
      input.value = now.join(box.getAttribute("data-joiner") || ", ");
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
