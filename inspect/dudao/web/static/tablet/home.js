/* The tablet's list page and the "everything on this device" page: the sync state of
   each inspection kept in IndexedDB, exports, "sync now", and offline preparation. */
(function (root) {
  "use strict";

  var DB = root.DudaoDB, Sync = root.DudaoSync, UI = root.DudaoUI;
  var home = document.getElementById("t-home"), device = document.getElementById("t-device");
  var page = home || device;
  if (!page) return;
  var user = parseInt(page.getAttribute("data-user"), 10);
  var text = JSON.parse(document.getElementById("t-strings").textContent);

  /* This inspector's records; one only opened here (state "none") holds nothing of theirs
     and is shown as no record at all. */
  function mine() {
    return DB.all("work").then(function (records) {
      return records.filter(function (r) { return r.user === user && r.state !== "none"; });
    });
  }

  function badge(node, record) {
    var state = record ? record.state : "none";
    node.textContent = text["state_" + state] || state;
    node.className = "t-state t-state-" + state;
    node.setAttribute("data-state", state);
  }

  /* A checklist the office returned is open again: what this device sent is history, and
     the checklist page continues from the server's copy (client.js does the same). */
  function current(record, serverState) {
    if (record && record.state === "submitted" && serverState === "returned") {
      return Object.assign({}, record, { state: "synced" });
    }
    return record;
  }

  function drawHome(records) {
    var byId = {};
    records.forEach(function (r) { byId[r.id] = r; });
    var listed = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-sync-for]"), function (node) {
      var id = parseInt(node.getAttribute("data-sync-for"), 10);
      listed[id] = true;
      badge(node, current(byId[id], node.closest(".t-card").getAttribute("data-server-state")));
    });
    // Work the server took (submitted, later approved) is not kept only here.
    var extra = records.filter(function (r) {
      return !listed[r.id] && r.state !== "submitted";
    }).length;
    var box = document.getElementById("t-elsewhere");
    box.hidden = extra === 0;
    box.firstChild.textContent = UI.fmt(text.elsewhere, { n: extra });
  }

  function card(record) {
    var item = document.createElement("li");
    item.className = "t-card";
    item.setAttribute("data-id", record.id);
    var link = document.createElement("a");
    link.href = "/inspect/" + record.id;
    var title = document.createElement("strong");
    title.textContent = UI.local(record.title) + " · #" + record.id;
    var unit = document.createElement("span");
    unit.textContent = UI.unitName(record.unit) + " · " + record.due;
    link.appendChild(title);
    link.appendChild(unit);
    if (record.problem && record.state === "refused") {
      var why = document.createElement("span");
      why.className = "t-why";
      why.textContent = text["refused_" + record.problem.code] || record.problem.message || "";
      link.appendChild(why);
    }
    item.appendChild(link);
    var state = document.createElement("span");
    badge(state, record);
    item.appendChild(state);
    var actions = document.createElement("span");
    actions.className = "t-exports";
    [["json", text.export_json], ["html", text.export_html]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = pair[1];
      button.setAttribute("data-export", pair[0]);
      button.addEventListener("click", function () { root.DudaoExport.download(record, pair[0]); });
      actions.appendChild(button);
    });
    item.appendChild(actions);
    return item;
  }

  function drawDevice(records) {
    var list = document.getElementById("t-device-list");
    list.textContent = "";
    records.sort(function (a, b) { return a.id - b.id; }).forEach(function (r) { list.appendChild(card(r)); });
    document.getElementById("t-device-empty").hidden = records.length > 0;
  }

  function draw() { return mine().then(home ? drawHome : drawDevice); }

  root.addEventListener("dudao:work", draw);
  UI.bindCommon(text, function () { return Sync.syncAll().then(draw); });
  draw().then(function () { return Sync.start(user); }).then(function () {
    return root.DudaoOffline.prepare(user);
  }).then(function (outcome) {
    if (outcome) document.body.setAttribute("data-offline-ready", "yes");
  });
})(this);
