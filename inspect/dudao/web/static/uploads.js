/* Refuses a file choice beyond a form's limits before anything is sent: the server would
   answer 413 and the browser would show an error page, losing everything typed in the
   form (dudao/web/uploads.py gives the limits as data attributes of the input). */
(function () {
  "use strict";

  function problem(input) {
    var files = input.files || [];
    var most = parseInt(input.getAttribute("data-max-files"), 10);
    var bytes = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (files.length > most) return input.getAttribute("data-too-many");
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > bytes) {
        return input.getAttribute("data-too-large").replace("{file}", files[i].name);
      }
    }
    return "";
  }

  function show(input, message) {
    var id = input.id + "-limit";
    var out = document.getElementById(id);
    if (!out && !message) return;
    if (!out) {
      out = document.createElement("p");
      out.id = id;
      out.className = "field-error";
      out.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", out);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    out.textContent = message;
    out.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function watch(input) {
    input.addEventListener("change", function () { show(input, problem(input)); });
    input.form.addEventListener("submit", function (event) {
      var message = problem(input);
      show(input, message);
      if (message) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-max-bytes]"), watch);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
