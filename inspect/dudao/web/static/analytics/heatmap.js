// The failure heatmap's cell links. The page sends each cell as its colour band, its
// number and, when the item failed, data-n (its failures), so that 10,000 cells do not
// each repeat a long URL. Here each such cell becomes a link to the inspections behind
// it: the row's results link (the count column) with failed=<the column's item> in place
// of counted=1, and a hidden " %, n of N failed" for screen readers. Without this script
// the numbers and the row links are still there. Loaded as a file (the CSP allows no
// inline script).
(function () {
  "use strict";

  function link(table) {
    var items = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      return th.getAttribute("data-item");
    });
    var said = table.getAttribute("data-failed");
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var results = row.querySelector("td.num a");
      var total = results.textContent;
      var url = new URL(results.href);
      url.searchParams.delete("counted");
      row.querySelectorAll("td[data-n]").forEach(function (cell) {
        url.searchParams.set("failed", items[cell.cellIndex]);
        var a = document.createElement("a");
        a.href = url.pathname + url.search;
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " %, " + said.replace("{n}", cell.getAttribute("data-n"))
          .replace("{total}", total);
        a.append(cell.textContent, hidden);
        cell.replaceChildren(a);
      });
    });
  }

  document.querySelectorAll("table[data-heatmap]").forEach(link);
})();
