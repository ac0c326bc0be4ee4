// Runs web/static/showif.js on tests/data/showif_cases.json and prints the results as JSON
// (used by tests/test_definitions_showif.py to prove Python and JavaScript agree).
"use strict";
const path = require("path");
const fs = require("fs");
const showif = require(path.join(__dirname, "../../inspect/dudao/web/static/showif.js"));
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {
  evaluate: cases.evaluate.map((c) => showif.evaluate(c.condition, c.answers)),
  visible: cases.visible.map((c) => {
    const shown = showif.visibleItems(c.items, c.answers);
    return c.items.map((i) => i.key).filter((k) => shown[k] === true);
  }),
};
process.stdout.write(JSON.stringify(out));
