/* Refuses a file choice beyond a form's limits (how many, how large, which kinds) before
   anything is sent: the server would answer 413 and the browser would show an error page
   that loses everything typed in the form, or refuse the form and lose the files chosen
   (dudao/web/uploads.py gives the limits as attributes of the input). */
(function () {
  "use strict";

  function problem(input) {
    var files = input.files || [];
    var most = parseInt(input.getAttribute("data-max-files"), 10);
    var bytes = parseInt(input.getAttribute("data-max-bytes"), 10);
    var kinds = (input.getAttribute("accept") || "").toLowerCase().split(",");
    var found = [];
    if (files.length > most) found.push(input.getAttribute("data-too-many"));
    for (var i = 0; i < files.length; i++) {
      var name = files[i].name, dot = name.lastIndexOf(".");
      var suffix = dot >= 0 ? name.slice(dot).toLowerCase() : "";
      if (kinds[0] && kinds.indexOf(suffix) < 0) {
        found.push(input.getAttribute("data-unsupported").replace("{file}", name));
      } else if (files[i].size > bytes) {
        found.push(input.getAttribute("data-too-large").replace("{file}", name));
      }
    }
    return found;
  }

  function show(input, messages) {
    var id = input.id + "-limit";
    var out = document.getElementById(id);
    if (!out && !messages.length) return;
    if (!out) {
      out = document.createElement("p");
      out.id = id;
      out.className = "field-error";
      out.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", out);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? described + " " + id : id);
    }
    out.textContent = "";
    messages.forEach(function (message, n) {  // one line each
      if (n) out.appendChild(document.createElement("br"));
      out.appendChild(document.createTextNode(message));
    });
    out.hidden = !messages.length;
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function watch(input) {
    input.addEventListener("change", function () {
      // The server's word on the files chosen before is about files no longer here.
      var earlier = document.getElementById(input.id + "-error");
      if (earlier) earlier.hidden = true;
      show(input, problem(input));
    });
    input.form.addEventListener("submit", function (event) {
      var messages = problem(input);
      show(input, messages);
      if (messages.length) {
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
