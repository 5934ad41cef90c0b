/* The Evaluation page's method form: re-evaluates through the JSON API (/api/evaluation/variant)
   and replaces the method-dependent tables and charts without reloading the page. Without script
   the form is an ordinary GET form and the server renders the same tables. */
(function () {
  "use strict";
  var form = document.getElementById("method-form");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("method-status");
  var problems = document.getElementById("method-problems");
  var results = document.getElementById("variant-results");
  var seq = 0;

  function fill(table, d) {
    var thead = table.querySelector("thead"), tbody = table.querySelector("tbody");
    var tr = document.createElement("tr");
    d.headers.forEach(function (h, j) {
      var th = document.createElement("th");
      th.textContent = h;
      if (d.numeric[j]) { th.className = "num"; }
      tr.appendChild(th);
    });
    thead.replaceChildren(tr);
    var rows = d.rows.map(function (r) {
      var row = document.createElement("tr");
      r.forEach(function (v, j) {
        var td = document.createElement("td");
        if (d.numeric[j]) { td.className = "num"; }
        if (d.strong && d.strong[j]) { var b = document.createElement("strong"); b.textContent = v; td.appendChild(b); }
        else { td.textContent = v; }
        row.appendChild(td);
      });
      return row;
    });
    tbody.replaceChildren.apply(tbody, rows);
  }

  function show(v, query) {
    Object.keys(v.display).forEach(function (key) {
      var table = document.getElementById(key + "-table");
      if (table) { fill(table, v.display[key]); }
    });
    Object.keys(v.charts).forEach(function (key) {
      var chart = window.hkCharts && window.hkCharts["variant-" + key];
      if (chart) { chart.setOption(window.hkChartOption(v.charts[key]), true); }
    });
    results.hidden = false;
    problems.hidden = true;
    status.textContent = form.dataset.updated;
    document.body.dataset.recipe = query;
  }

  function fail(lines) {
    problems.replaceChildren.apply(problems, lines.map(function (t) {
      var li = document.createElement("li"); li.textContent = t; return li;
    }));
    problems.hidden = false;
    results.hidden = true;
    status.textContent = form.dataset.failed;
  }

  function update() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var mine = ++seq;
    status.textContent = form.dataset.updating;
    fetch("/api/evaluation/variant?" + query, { headers: { accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (v) {
        if (mine !== seq) { return; }  /* a newer choice is on its way */
        if (v.ok) { show(v, query); } else { fail(v.problems || [v.error]); document.body.dataset.recipe = query; }
        history.replaceState(null, "", location.pathname + "?" + query);
        var sw = document.getElementById("lang-switch");
        if (sw) {
          var other = new URLSearchParams(query);
          other.set("lang", document.body.dataset.lang === "zh" ? "en" : "zh");
          sw.href = location.pathname + "?" + other.toString();
        }
      })
      .catch(function () { if (mine === seq) { fail([form.dataset.failed]); } });
  }

  form.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
  var button = form.querySelector("button[type=submit]");
  if (button) { button.hidden = true; }  /* choices apply at once */
})();
