(function () {
  "use strict";
  var body = document.body;
  body.dataset.charts = String(document.querySelectorAll("svg.pygal-chart").length);
  var table = document.getElementById("findings");
  if (!table) {
    body.dataset.rows = "0";
    body.dataset.visible = "0";
    body.dataset.ready = "1";
    return;
  }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  rows.forEach(function (row, i) {
    row._order = i;
    row._text = row.textContent.toLowerCase();
  });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var controls = {
    severity: document.getElementById("filter-severity"),
    code: document.getElementById("filter-code"),
    source: document.getElementById("filter-source"),
    q: document.getElementById("filter-text")
  };
  var counter = document.getElementById("visible-count");
  var empty = document.getElementById("no-match");
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var sorted = { key: "", dir: 0 };

  function apply() {
    var severity = controls.severity.value;
    var code = controls.code.value;
    var source = controls.source.value;
    var terms = controls.q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var visible = 0;
    rows.forEach(function (row) {
      var ok = (!severity || row.dataset.severity === severity) &&
        (!code || row.dataset.code === code) &&
        (!source || row.dataset.source === source);
      for (var i = 0; ok && i < terms.length; i++) {
        if (row._text.indexOf(terms[i]) < 0) { ok = false; }
      }
      row.hidden = !ok;
      if (ok) { visible++; }
    });
    counter.textContent = visible.toLocaleString("en");
    empty.hidden = visible !== 0;
    body.dataset.visible = String(visible);
  }

  function sortBy(key, dir) {
    var index = -1;
    headers.forEach(function (th, i) {
      if (th.dataset.key === key) { index = i; }
      th.setAttribute("aria-sort", "none");
    });
    if (index < 0) { return; }
    var numeric = headers[index].dataset.type === "number";
    function value(row) {
      var cell = row.cells[index];
      return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
    }
    rows.sort(function (a, b) {
      var x = value(a), y = value(b);
      var c = numeric ? Number(x) - Number(y) : collator.compare(x, y);
      return c * dir || a._order - b._order;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    tbody.appendChild(fragment);
    headers[index].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    sorted = { key: key, dir: dir };
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    Object.keys(controls).forEach(function (name) {
      var wanted = params.get(name);
      if (wanted === null) { return; }
      controls[name].value = wanted;
      if (controls[name].value !== wanted) { controls[name].value = ""; }
    });
    var key = params.get("sort");
    if (key) { sortBy(key, params.get("dir") === "desc" ? -1 : 1); }
  }

  function writeHash() {
    var params = new URLSearchParams();
    Object.keys(controls).forEach(function (name) {
      var v = controls[name].value.trim();
      if (v) { params.set(name, v); }
    });
    if (sorted.key) {
      params.set("sort", sorted.key);
      params.set("dir", sorted.dir > 0 ? "asc" : "desc");
    }
    var hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (ignored) { /* some browsers refuse replaceState on file:// pages */ }
  }

  headers.forEach(function (th) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var key = th.dataset.key;
      var first = th.dataset.first === "desc" ? -1 : 1;
      sortBy(key, sorted.key === key ? -sorted.dir : first);
      writeHash();
    });
  });
  Object.keys(controls).forEach(function (name) {
    controls[name].addEventListener(name === "q" ? "input" : "change", function () {
      apply();
      writeHash();
    });
  });
  document.getElementById("filter-reset").addEventListener("click", function () {
    Object.keys(controls).forEach(function (name) { controls[name].value = ""; });
    apply();
    writeHash();
  });

  readHash();
  apply();
  body.dataset.rows = String(rows.length);
  body.dataset.ready = "1";
})();
