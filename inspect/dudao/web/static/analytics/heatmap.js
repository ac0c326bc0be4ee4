// The failure heatmap's cell links. The page sends each cell as its colour band, its
// number and, when the item failed, data-n (its failures), so that 10,000 cells do not
// each repeat a long URL. Here each such cell becomes a link to the inspections behind
// it: the row's results link (the count column) with failed=<the column's item> in place
// of counted=1, and a hidden " %, n of N failed" for screen readers. Without this script
// the numbers and the row links are still there. Loaded as a file (the CSP allows no
// inline script); string building and setAttribute, as it runs over thousands of cells.
(function () {
  "use strict";

  function link(table) {
    var failed = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      var item = th.getAttribute("data-item");
      return item === null ? "" : "&failed=" + encodeURIComponent(item);
    });
    var said = table.getAttribute("data-failed");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var results = row.querySelector("td.num a");
      var base = results.getAttribute("href").replace(/&counted=1(?=&|$)/, "");
      var sentence = said.replace("{total}", results.textContent);
      row.querySelectorAll("td[data-n]").forEach(function (cell) {
        var a = document.createElement("a");
        var span = hidden.cloneNode(false);
        a.setAttribute("href", base + failed[cell.cellIndex]);
        span.textContent = " %, " + sentence.replace("{n}", cell.getAttribute("data-n"));
        a.append(cell.textContent, span);
        cell.replaceChildren(a);
      });
    });
  }

  document.querySelectorAll("table[data-heatmap]").forEach(link);
})();
