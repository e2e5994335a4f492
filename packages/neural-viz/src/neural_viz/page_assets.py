"""The static parts of a report page: its style sheet and its script (no user data in either).

The script reads the page's data from ``<script type="application/json"
id="neural-report-data">``, draws each figure with ``Plotly.newPlot`` and builds
the sortable trials table with ``textContent`` only (no user text is ever
parsed as HTML). The figures on the first screen are
drawn first (then ``data-first-screen="yes"`` on ``<body>``), the others one
after another; when every figure is drawn it sets ``data-report-ready="yes"``
(``"error"`` if one failed), which the browser tests wait for.
"""

from __future__ import annotations

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif;
       margin: 0; color: #222; background: #f6f7f9; }
header { background: #1f2d3d; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #c8d3df; font-size: 13px; }
main { padding: 8px 24px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; margin: 16px 0; padding: 12px 16px; }
section h2 { font-size: 17px; margin: 4px 0; }
section p.read { margin: 0 0 8px; color: #555; font-size: 13px; }
.banner { background: #fff4ce; border: 1px solid #e0c36a; padding: 8px 12px; border-radius: 6px; margin-top: 16px; }
table.kv { border-collapse: collapse; font-size: 13px; }
table.kv th { text-align: left; padding: 3px 16px 3px 0; color: #555; font-weight: 600; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 3px 0; word-break: break-word; }
table.grid { border-collapse: collapse; font-size: 12px; width: 100%; }
table.grid th, table.grid td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; }
table.grid th { background: #f0f2f5; cursor: pointer; user-select: none; position: sticky; top: 0; }
table.grid th.sorted-asc::after { content: " ▲"; } table.grid th.sorted-desc::after { content: " ▼"; }
table.grid td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.grid tr.best td { background: #e8f6e8; font-weight: 600; }
.state-complete { color: #1f77b4; } .state-pruned { color: #c25e00; } .state-failed { color: #d62728; }
.state-running { color: #666; }
.pager { margin: 8px 0; font-size: 13px; } .pager button { margin-right: 6px; }
.table-wrap { max-height: 640px; overflow: auto; }
.arch { display: flex; flex-direction: column; gap: 4px; max-width: 760px; }
.layer { border: 1px solid #c9d1db; border-radius: 5px; padding: 5px 10px; background: #fbfcfd; font-size: 13px; }
.layer.hpo { border-color: #ff9f43; background: #fff7ee; }
.layer .kind { font-weight: 600; } .layer .shape { float: right; color: #444; font-variant-numeric: tabular-nums; }
.layer .hp { color: #b35900; font-size: 12px; }
.note { color: #666; font-style: italic; }
.figure { width: 100%; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("neural-report-data").textContent);
  var config = {responsive: true, displaylogo: false};
  if (payload.table) { buildTable(payload.table); }
  // The figures on the first screen are drawn first; the rest follow one at a time, so a
  // report of 10,000 trials is readable at once and the page stays responsive meanwhile.
  var onScreen = [], later = [];
  payload.figures.forEach(function (figure) {  // reserve each figure's height, so the layout is final
    document.getElementById(figure.id).style.minHeight = (figure.layout.height || 450) + "px";
  });
  payload.figures.forEach(function (figure) {
    var box = document.getElementById(figure.id).getBoundingClientRect();
    (box.top < window.innerHeight ? onScreen : later).push(figure);
  });
  Promise.all(onScreen.map(draw)).then(function () {
    document.body.setAttribute("data-first-screen", "yes");
    document.body.setAttribute("data-first-screen-ms", String(Math.round(performance.now())));
    return later.reduce(function (previous, figure) {
      return previous.then(paint).then(function () { return draw(figure); });
    }, Promise.resolve());
  }).then(function () {
    document.body.setAttribute("data-report-ms", String(Math.round(performance.now())));
    document.body.setAttribute("data-report-ready", "yes");
  }, function (error) {
    console.error("a figure could not be drawn: " + error);
    document.body.setAttribute("data-report-ready", "error");
  });

  function paint() {  // let the browser paint what is drawn so far before the next figure
    return new Promise(function (resolve) {
      requestAnimationFrame(function () { setTimeout(resolve, 0); });
    });
  }

  function draw(figure) {
    var element = document.getElementById(figure.id);
    try {
      return Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
        element.setAttribute("data-drawn", "yes");
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function buildTable(table) {
    var holder = document.getElementById("trials-table");
    if (!holder) { return; }
    var pageSize = 100, page = 0, sortColumn = 0, ascending = true;
    var rows = table.rows.slice();
    var pager = document.createElement("div");
    pager.className = "pager";
    var previous = button("previous"), next = button("next"), where = document.createElement("span");
    pager.appendChild(previous); pager.appendChild(next); pager.appendChild(where);
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    var element = document.createElement("table");
    element.className = "grid";
    var head = element.createTHead().insertRow();
    var body = element.createTBody();
    table.columns.forEach(function (column, index) {
      var cell = document.createElement("th");
      cell.textContent = column.name;
      cell.title = "sort by " + column.name;
      cell.addEventListener("click", function () {
        ascending = sortColumn === index ? !ascending : true;
        sortColumn = index;
        page = 0;
        sortRows();
        draw();
      });
      head.appendChild(cell);
    });
    wrap.appendChild(element);
    holder.appendChild(pager);
    holder.appendChild(wrap);
    previous.addEventListener("click", function () { if (page > 0) { page -= 1; draw(); } });
    next.addEventListener("click", function () { if ((page + 1) * pageSize < rows.length) { page += 1; draw(); } });
    draw();

    function button(label) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = label;
      return element;
    }
    function sortRows() {
      var numeric = table.columns[sortColumn].numeric;
      rows.sort(function (a, b) {
        var x = a[sortColumn], y = b[sortColumn];
        if (x === null || x === undefined) { return y === null || y === undefined ? a[0] - b[0] : 1; }
        if (y === null || y === undefined) { return -1; }
        var order = numeric ? x - y : String(x).localeCompare(String(y), undefined, {numeric: true});
        if (order === 0) { order = a[0] - b[0]; }
        return ascending ? order : -order;
      });
    }
    function draw() {
      var heads = head.cells;
      for (var i = 0; i < heads.length; i++) {
        heads[i].className = i === sortColumn ? (ascending ? "sorted-asc" : "sorted-desc") : "";
      }
      while (body.firstChild) { body.removeChild(body.firstChild); }
      var first = page * pageSize, last = Math.min(rows.length, first + pageSize);
      for (var r = first; r < last; r++) {
        var row = body.insertRow();
        if (rows[r][0] === table.best_number) { row.className = "best"; }
        rows[r].forEach(function (value, index) {
          var cell = row.insertCell();
          cell.textContent = value === null || value === undefined ? "" : String(value);
          if (table.columns[index].numeric) { cell.className = "num"; }
          if (index === 1) { cell.className = "state-" + String(value); }
        });
      }
      where.textContent = "trials " + (rows.length ? first + 1 : 0) + "–" + last + " of " + rows.length +
        " (click a column heading to sort)";
      previous.disabled = page === 0;
      next.disabled = last >= rows.length;
    }
  }
})();
"""
