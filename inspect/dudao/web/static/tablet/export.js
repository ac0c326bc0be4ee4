/* Export the work kept on the device, so nothing is ever lost in silence: a JSON file
   (answers, notes, photos as data URLs, the queued submission and the refusal) and a
   readable, self-contained HTML page. Both are built on the device, offline. */
(function (root) {
  "use strict";

  var DB = root.DudaoDB, UI = root.DudaoUI;
  var local = UI.local;

  function strings() {
    var block = document.getElementById("t-strings");
    return block ? JSON.parse(block.textContent) : {};
  }

  function dataUrl(blob) {
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { resolve(null); };
      reader.readAsDataURL(blob);
    });
  }

  function collect(record) {
    return DB.photosOf(record.id).then(function (photos) {
      return Promise.all(photos.map(function (p) {
        return (p.blob ? dataUrl(p.blob) : Promise.resolve(null)).then(function (url) {
          return { id: p.id, server_id: p.serverId, item_key: p.item, kind: p.kind, data_url: url };
        });
      }));
    }).then(function (photos) {
      return {
        format: "dudao-tablet-export/1", exported_at: new Date().toISOString(),
        // Names in the page's language (a record keeps both: ui.js `local`).
        inspection: { id: record.id, title: local(record.title), unit: UI.unitName(record.unit),
                      due_date: record.due, definition_version_id: record.definitionVersionId },
        sync_state: record.state, problem: record.problem || null,
        answers: Object.assign({}, record.answers, record.photoAnswers),
        notes: record.notes, evidence_photos: record.photos,
        submission: record.submission || null, photos: photos,
      };
    });
  }

  function shown(item, value, text) {
    if (value === undefined || value === null) return "—";
    var list = [].concat(value).map(function (v) {
      if (item.type === "yes_no") return text[v] || v;
      return (item.options && local(item.options[v])) || v;
    });
    return list.join(", ");
  }

  function page(data, record, text) {
    var doc = document.implementation.createHTMLDocument(data.inspection.title || "Dudao");
    doc.documentElement.lang = document.documentElement.lang;
    var meta = doc.createElement("meta");
    meta.setAttribute("charset", "utf-8");
    doc.head.appendChild(meta);
    function add(parent, tag, content) {
      var node = doc.createElement(tag);
      if (content !== undefined) node.textContent = content;
      parent.appendChild(node);
      return node;
    }
    var body = doc.body;
    add(body, "h1", data.inspection.title);
    add(body, "p", data.inspection.unit + " · " + record.due + " · #" + record.id);
    add(body, "p", text.export_state + ": " + (text["state_" + record.state] || record.state));
    if (record.problem && record.problem.code) {
      add(body, "p", text["refused_" + record.problem.code] || record.problem.message || "");
    }
    add(body, "p", text.export_exported + ": " + data.exported_at);
    var photosByItem = {};
    data.photos.forEach(function (p) { (photosByItem[p.item_key] = photosByItem[p.item_key] || []).push(p); });
    var spec = record.spec || { sections: [], items: [] };
    spec.sections.forEach(function (section) {
      add(body, "h2", local(section.title));
      var list = add(body, "dl");
      spec.items.filter(function (i) { return i.section === section.key && i.type !== "note"; })
        .forEach(function (item) {
          add(list, "dt", local(item.label));
          var answer = item.type === "photo" ? null : data.answers[item.key];
          var dd = add(list, "dd", item.type === "photo" ? "" : shown(item, answer, text));
          if (data.notes[item.key]) add(dd, "p", text.export_note + ": " + data.notes[item.key]);
          (photosByItem[item.key] || []).forEach(function (p) {
            // Another device's photo: this one has only the server's reference to it.
            if (!p.data_url) return add(dd, "p", text.export_server_photo);
            var img = add(dd, "img");
            img.src = p.data_url;
            img.setAttribute("width", "320");
            img.alt = local(item.label);
          });
        });
    });
    return "<!doctype html>\n" + doc.documentElement.outerHTML;
  }

  function save(content, type, name) {
    var url = URL.createObjectURL(new Blob([content], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function download(record, kind) {
    var text = strings();
    return collect(record).then(function (data) {
      var stem = "dudao-inspection-" + record.id;
      if (kind === "json") save(JSON.stringify(data, null, 2), "application/json", stem + ".json");
      else save(page(data, record, text), "text/html", stem + ".html");
      return data;
    });
  }

  root.DudaoExport = { collect: collect, download: download };
})(this);
