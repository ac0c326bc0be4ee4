/* Small helpers for definition forms: live character counters, photo counts and the most
   choices a question takes.
   Plain JavaScript; the form works without it (the server counts and checks too). */
(function () {
  "use strict";

  function counter(field) {
    var out = document.getElementById(field.getAttribute("data-counter"));
    if (!out) return;
    var number = out.querySelector("span");
    var max = parseInt(field.getAttribute("maxlength") || field.getAttribute("data-max"), 10);
    function update() {
      var length = Array.from(field.value).length;  // characters, as the server counts them
      number.textContent = String(length);
      out.classList.toggle("dcounter-full", !isNaN(max) && length >= max);
      out.classList.toggle("dcounter-over", !isNaN(max) && length > max);
    }
    field.addEventListener("input", update);
    update();
  }

  function photoCount(input) {
    var out = document.getElementById(input.getAttribute("data-photo-count"));
    if (!out) return;
    var template = out.textContent.replace(/\d+/, "{n}");
    input.addEventListener("change", function () {
      out.textContent = template.replace("{n}", String(input.files ? input.files.length : 0));
    });
  }

  /* "Choose at most 3": once three are ticked the others wait, rather than the page
     coming back with the whole questionnaire to untick one. */
  function choiceLimit(group) {
    var most = parseInt(group.getAttribute("data-max-choices"), 10);
    var boxes = group.querySelectorAll("input[type=checkbox]");
    function update() {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
      Array.prototype.forEach.call(boxes, function (box) {
        box.disabled = !box.checked && ticked.length >= most;
      });
    }
    group.addEventListener("change", update);
    update();
  }

  function focusSummary() {
    var summary = document.querySelector(".dform-summary");
    if (summary) summary.focus();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), counter);
    Array.prototype.forEach.call(document.querySelectorAll("[data-photo-count]"), photoCount);
    Array.prototype.forEach.call(document.querySelectorAll("[data-max-choices]"), choiceLimit);
    focusSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
