/* Choosing a unit by typing part of its code or name. An input marked
   data-unit-picker="URL" (the `unit_picker` template helper) gets a <datalist> of the units
   whose code, Chinese or English name holds what was typed, asked of URL&q=… a moment after
   the last key. A suggestion's value is the unit's code, so choosing one puts the code in
   the field and the form sends a code as before. Plain JavaScript; without it, or when the
   request fails, the field simply takes a typed code. */
(function () {
  "use strict";

  var PAUSE = 200;  // ms after the last key: one request per pause, not per key
  var SEPARATORS = /[\s,;，；、]+/;  // as scheduling.forms.split_names reads several codes
  var made = 0;

  // As the server's queries.too_short: one Latin letter matches most codes, one Chinese
  // character already names something.
  function tooShort(text) {
    return !text || (text.length < 2 && /^[\x00-\x7f]$/.test(text));
  }

  function option(unit) {
    var shown = document.createElement("option");
    shown.value = unit.code;
    shown.label = unit.label;
    return shown;
  }

  function picker(input) {
    var base = input.getAttribute("data-unit-picker");
    var list = document.createElement("datalist");
    list.id = "unit-picker-" + (++made);
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    var hint = input.getAttribute("data-unit-picker-hint");
    if (hint && !input.placeholder) input.placeholder = hint;
    var timer = null;
    var pending = null;
    var asked = "";

    function fill(units) {
      list.replaceChildren.apply(list, units.map(option));
    }

    function offered(text) {
      return Array.prototype.some.call(list.options, function (o) { return o.value === text; });
    }

    function ask() {
      var text = input.value.trim();
      // A suggestion just chosen (its code is in the field) keeps the list as it is.
      if (text === asked || offered(text)) return;
      asked = text;
      if (pending) pending.abort();
      if (tooShort(text)) { fill([]); return; }
      pending = new AbortController();
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (answer) {
          var json = (answer.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          return answer.ok && json ? answer.json() : { units: [] };  // signed out: a login page
        })
        .then(function (body) {
          if (input.value.trim() === text) fill(body.units || []);
        })
        .catch(function () {});  // offline or superseded: the field still takes a typed code
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, PAUSE);
    });

    // A field that starts with a code (a filter set to one's own unit) offers that unit by
    // name, and a click selects the code, so typing a name replaces it instead of adding
    // to it. The mouseup after the click would otherwise put the caret back.
    var clicked = false;
    input.addEventListener("focus", function () {
      if (input.value) { input.select(); clicked = true; }
    });
    input.addEventListener("mouseup", function (event) {
      if (clicked) event.preventDefault();
      clicked = false;
    });
    if (input.value.trim()) ask();
    var target = document.getElementById(input.getAttribute("data-unit-picker-adds-to") || "");
    if (target) addsTo(input, target, offered, function () { asked = ""; fill([]); });
  }

  // A field of several codes (a schedule's exclusions) gets a picker of its own, shown only
  // with this script: a chosen suggestion, or Enter, adds its code to the field and empties
  // the picker for the next one. Enter never sends the form from here.
  function addsTo(input, target, offered, emptied) {
    var holder = input.closest("[hidden]");
    if (holder) holder.hidden = false;

    function add(code) {
      var codes = target.value.split(SEPARATORS).filter(Boolean);
      if (codes.indexOf(code) < 0) codes.push(code);
      target.value = codes.join(", ");
      input.value = "";
      emptied();
    }

    input.addEventListener("input", function (event) {
      var text = input.value.trim();
      var chosen = event.inputType === "insertReplacementText" || !event.inputType;
      if (chosen && offered(text)) add(text);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var text = input.value.trim();
      var list = input.list ? input.list.options : [];
      if (offered(text)) add(text);
      else if (list.length === 1) add(list[0].value);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-unit-picker]"), picker);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
