// The subject link chart (Cytoscape.js, served by the app): nodes are subjects, edges the
// money from payer to payee per currency. Clicking a node adds its own counterparties; a
// double click opens its profile. Texts come from the page (data-* attributes).
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") { return; }
  var status = document.getElementById("graph-status");
  var selected = document.getElementById("graph-selected");
  var expanded = {};

  function colour(node) {
    if (node.data("root")) { return "#1d3f72"; }
    if (node.data("listed")) { return "#b3261e"; }
    if (node.data("alerted")) { return "#e08a00"; }
    return "#8a94a6";
  }

  var cy = cytoscape({
    container: box,
    wheelSensitivity: 0.3,
    minZoom: 0.15,
    maxZoom: 1.4,
    style: [
      { selector: "node", style: {
        "background-color": colour, "label": "data(label)", "font-size": 10,
        "text-valign": "bottom", "text-margin-y": 3, "color": "#1b2430",
        "width": function (n) { return 14 + 6 * Math.log(1 + n.data("records")); },
        "height": function (n) { return 14 + 6 * Math.log(1 + n.data("records")); } } },
      { selector: "node[?under_case]", style: { "border-width": 4, "border-color": "#6a1b9a" } },
      { selector: "node[?root][?listed]", style: { "border-width": 4, "border-color": "#b3261e" } },
      { selector: "node:selected", style: { "overlay-opacity": 0.15 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#b7c0cf",
        "target-arrow-color": "#b7c0cf", "label": "data(label)", "font-size": 8,
        "color": "#4a5568", "text-rotation": "autorotate", "text-background-color": "#fff",
        "text-background-opacity": 0.8,
        "width": function (e) { return 1 + Math.log(1 + e.data("count")); } } }
    ]
  });

  function layout() {
    // Rows by distance from the subject: itself on top, its counterparties below, theirs
    // under the one they deal with.
    cy.layout({ name: "breadthfirst", roots: cy.nodes("[?root]"), directed: false,
                animate: false, padding: 40, spacingFactor: 1.25 }).run();
  }

  function count() {
    box.setAttribute("data-nodes", String(cy.nodes().length));
    box.setAttribute("data-edges", String(cy.edges().length));
  }

  function add(url, from, after) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        var fresh = [];
        data.elements.nodes.concat(data.elements.edges).forEach(function (el) {
          if (cy.getElementById(el.data.id).length === 0) {
            if (from) { el.data.root = false; }
            fresh.push(el);
          }
        });
        cy.add(fresh);
        layout();
        count();
        status.textContent = data.capped ? box.dataset.capped : "";
        if (cy.nodes().length < 2) { status.textContent = box.dataset.empty; }
        if (after) { after(); }
      })
      .catch(function (err) { status.textContent = err.message; });
  }

  cy.on("tap", "node", function (event) {
    var node = event.target;
    selected.textContent = node.data("label");
    if (expanded[node.id()]) { return; }
    expanded[node.id()] = true;
    add(box.dataset.expandUrl.replace("SUBJECT", encodeURIComponent(node.id())), node,
        function () {
      box.setAttribute("data-expanded-node", node.id());
      status.textContent = box.dataset.expanded.replace("{name}", node.data("label"));
    });
  });
  box.cytoscape = cy;  // for the browser tests
  cy.on("dbltap", "node", function (event) { window.location.href = event.target.data("url"); });

  add(box.dataset.url, null, function () {
    var root = cy.nodes("[?root]");
    if (root.length) { expanded[root.id()] = true; }
  });
}());
