/* Municipality type-ahead for the flat form. Progressive enhancement only: without this
   script the server resolves the typed name. With it, a <datalist> is filled from
   GET /api/v1/municipalities?q= and the chosen municipality's code goes to the hidden field. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-typeahead]");
  var hidden = document.getElementById("f-municipality_code");
  var list = input && document.getElementById(input.getAttribute("list"));
  if (!input || !list || !window.fetch) { return; }
  var byLabel = {};
  var timer = null;
  var lastQuery = "";

  var district = input.getAttribute("data-district") || "{}";

  function label(m) { return m.name + " (" + district.replace("{}", m.okres_name) + ")"; }

  function fill(items) {
    byLabel = {};
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (m) {
      var option = document.createElement("option");
      option.value = label(m);
      byLabel[option.value] = m;
      list.appendChild(option);
    });
  }

  function pick() {
    var chosen = byLabel[input.value];
    if (!hidden) { return; }
    if (chosen) {
      hidden.value = String(chosen.code);
      input.value = chosen.name;  // the server checks the name against the code
    } else {
      hidden.value = "";  // typed by hand: let the server resolve the name
    }
  }

  function lookUp() {
    var q = input.value.trim();
    if (q.length < 2 || q === lastQuery || byLabel[input.value]) { return; }
    lastQuery = q;
    fetch("/api/v1/municipalities?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) { if (input.value.trim() === q) { fill(items); } })
      .catch(function () { /* the server-side look-up still works */ });
  }

  input.addEventListener("input", function () {
    pick();
    clearTimeout(timer);
    timer = setTimeout(lookUp, 200);
  });
  input.addEventListener("change", pick);
})();
