/* The chain page: cytoscape graph laid out by stage (x) and side (y), filters, node details, paths.
   Data comes from the page (JSON blocks) and from the JSON API; every text is set with textContent. */
(function () {
  "use strict";
  var lang = document.body.dataset.lang || "zh";
  var T = JSON.parse(document.getElementById("chain-i18n").textContent);
  var SIDE_COLOUR = { HK: "#c0392b", SZ: "#1f6fb2", CROSS: "#7d3c98", MAINLAND: "#b9770e", WORLD: "#2e8b57" };
  var SHAPE = { person: "ellipse", firm: "round-rectangle", university: "diamond", institute: "diamond",
    platform: "hexagon", fund: "triangle", place: "star", programme: "tag", government: "octagon" };
  var box = document.getElementById("cy");
  var info = document.getElementById("info");
  var countEl = document.getElementById("graph-count");
  var form = document.getElementById("chain-filters");
  var slider = document.getElementById("year-slider");
  var yearInput = document.getElementById("year-input");
  var yearOut = document.getElementById("year-out");
  if (typeof cytoscape !== "function" || !box) { return; }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function sourceLinks(list) {
    var span = el("span", null, "sources");
    (list || []).forEach(function (s, i) {
      var a;
      if (s.url && /^https?:\/\//.test(s.url)) {
        a = el("a", s.id); a.href = s.url; a.rel = "noopener noreferrer"; a.target = "_blank";
      } else { a = el("span", s.id); }
      a.title = s.title || "";
      span.appendChild(a);
      if (i < list.length - 1) { span.appendChild(document.createTextNode(", ")); }
    });
    return span;
  }

  function elements(g) {
    var out = [];
    g.columns.forEach(function (c) {
      out.push({ group: "nodes", data: { id: "lane-c-" + c.code, label: c.label }, position: { x: c.x + 90, y: 40 },
        classes: "lane", selectable: false, grabbable: false });
    });
    g.rows.forEach(function (r) {
      out.push({ group: "nodes", data: { id: "lane-r-" + r.code, label: r.label }, position: { x: 30, y: r.y + 10 },
        classes: "lane side", selectable: false, grabbable: false });
    });
    g.nodes.forEach(function (n) {
      out.push({ group: "nodes", data: { id: n.id, label: n.label, side: n.side, type: n.type,
        colour: SIDE_COLOUR[n.side] || "#888", shape: SHAPE[n.type] || "ellipse" }, position: { x: n.x, y: n.y } });
    });
    g.edges.forEach(function (e) {
      out.push({ group: "edges", data: { id: "rel-" + e.id, source: e.source, target: e.target, label: e.label } });
    });
    return out;
  }

  var cy = cytoscape({
    container: box,
    elements: elements(JSON.parse(document.getElementById("graph-data").textContent)),
    layout: { name: "preset", fit: true, padding: 24 },
    minZoom: 0.15, maxZoom: 3, wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", shape: "data(shape)", width: 14, height: 14,
        label: "data(label)", "font-size": 15, "text-valign": "center", "text-halign": "right", "text-margin-x": 4,
        "text-wrap": "ellipsis", "text-max-width": 150, color: "#1d2430", "min-zoomed-font-size": 6,
        "text-background-color": "#fbfcfd", "text-background-opacity": 0.8, "text-background-padding": 1 } },
      { selector: "node.lane", style: { "background-opacity": 0, width: 1, height: 1, "font-size": 22, "font-weight": 700,
        color: "#5b6575", "text-halign": "right", "text-max-width": 400, events: "no" } },
      { selector: "node.lane.side", style: { "font-size": 18, "text-halign": "right" } },
      { selector: "edge", style: { width: 1, "line-color": "#9aa5b4", "target-arrow-color": "#9aa5b4",
        "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier", opacity: 0.45 } },
      { selector: ".faded", style: { opacity: 0.12 } },
      { selector: "node.hl", style: { "border-width": 3, "border-color": "#111", "font-weight": 700, "z-index": 20 } },
      { selector: "edge.hl", style: { width: 2.5, opacity: 1, "line-color": "#0b5cad", "target-arrow-color": "#0b5cad",
        label: "data(label)", "font-size": 11, "text-rotation": "autorotate", "text-background-color": "#fff",
        "text-background-opacity": 0.9, "z-index": 20 } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#f39c12" } }
    ]
  });
  window.hkChain = cy; /* for the end-to-end tests and the curious */

  function clearHighlight() { cy.elements().removeClass("faded hl"); }

  function highlight(nodes, edges) {
    cy.elements().not(".lane").addClass("faded");
    nodes.removeClass("faded").addClass("hl");
    edges.removeClass("faded").addClass("hl");
    cy.animate({ fit: { eles: nodes.union(edges), padding: 60 } }, { duration: 250 });
  }

  function showNode(id) {
    info.replaceChildren(el("p", T.loading, "muted"));
    fetch("/api/chain/nodes/" + encodeURIComponent(id) + "?lang=" + lang)
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        var n = res.j;
        info.replaceChildren();
        if (!res.ok) { info.appendChild(el("p", n.error, "error-message")); return; }
        var h = el("h3", n.label); info.appendChild(h);
        info.appendChild(el("p", [n.type_label, n.side_label, n.stage_label].filter(Boolean).join(" · "), "muted small"));
        if (n.since) { info.appendChild(el("p", T.since + ": " + n.since, "small")); }
        var src = el("p", T.sources + ": ", "small"); src.appendChild(sourceLinks(n.sources)); info.appendChild(src);
        info.appendChild(el("h3", T.relations + " (" + n.relations.length + ")"));
        var ul = el("ul");
        n.relations.forEach(function (r) {
          var li = el("li");
          li.appendChild(el("span", r.subject_label + " —" + r.predicate_label + "→ " + r.object_label));
          if (r.start) { li.appendChild(el("span", " (" + r.start + ")", "muted small")); }
          li.appendChild(el("div", "「" + r.locator + "」", "small muted"));
          var s = el("div", null, "small"); s.appendChild(sourceLinks(r.sources)); li.appendChild(s);
          ul.appendChild(li);
        });
        info.appendChild(ul);
        var more = el("a", T.open + " →"); more.href = "/chain/nodes/" + encodeURIComponent(n.id) + "?lang=" + lang;
        info.appendChild(more);
      })
      .catch(function () { info.replaceChildren(el("p", "—", "muted")); });
  }

  cy.on("tap", "node", function (evt) {
    var node = evt.target;
    if (node.hasClass("lane")) { return; }
    clearHighlight();
    highlight(node.closedNeighborhood("node"), node.connectedEdges());
    showNode(node.id());
  });
  cy.on("tap", function (evt) { if (evt.target === cy) { clearHighlight(); cy.fit(undefined, 24); } });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(undefined, 24); });

  function highlightPath(p) {
    if (!p || !p.nodes) { return; }
    var ns = cy.collection(), es = cy.collection();
    p.nodes.forEach(function (n) { ns = ns.union(cy.getElementById(n.id)); });
    p.hops.forEach(function (h) { es = es.union(cy.getElementById("rel-" + h.relation)); });
    clearHighlight(); highlight(ns, es);
  }
  highlightPath(JSON.parse(document.getElementById("path-data").textContent));

  function params() {
    var fd = new FormData(form), q = new URLSearchParams();
    fd.forEach(function (v, k) { if (v !== "" && k !== "lang") { q.set(k, v); } });
    q.set("lang", lang);
    return q;
  }

  function reload() {
    var q = params();
    fetch("/api/chain/graph?" + q.toString())
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) { countEl.textContent = res.j.error; return; }
        var g = res.j;
        cy.elements().remove();
        cy.add(elements(g));
        cy.layout({ name: "preset", fit: true, padding: 24 }).run();
        countEl.textContent = T.count.replace("{nodes}", g.counts.nodes).replace("{edges}", g.counts.edges);
        history.replaceState(null, "", "/chain?" + q.toString());
      });
  }

  form.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", reload); });
  if (slider) {
    var top = Number(slider.max);
    slider.hidden = false;
    yearInput.hidden = true;
    var sync = function () {
      var v = Number(slider.value);
      yearInput.value = v >= top ? "" : String(v);
      yearOut.textContent = v >= top ? T.any : String(v);
    };
    slider.addEventListener("input", sync);
    slider.addEventListener("change", function () { sync(); reload(); });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); reload(); });
})();
