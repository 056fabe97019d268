// The map analysis page: heat cells from the API, a selection drawn with Leaflet-Geoman and
// counted by the API. The page works without it (forms and tables); this adds the map.
(function () {
  "use strict";

  var configElement = document.getElementById("analysis-config");
  var mapConfigElement = document.getElementById("map-config");
  var canvas = document.querySelector("[data-analysis-map]");
  if (!configElement || !mapConfigElement || !canvas || !window.L) {
    return;
  }
  var CONFIG = JSON.parse(configElement.textContent);
  var MAP = JSON.parse(mapConfigElement.textContent);
  var T = CONFIG.strings;
  var status = document.querySelector("[data-analysis-status]");
  var legendList = document.querySelector("[data-analysis-legend-list]");
  var results = document.querySelector("[data-analysis-results]");
  var kind = CONFIG.kind;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") {
        node.textContent = attributes[key];
      } else {
        node.setAttribute(key, attributes[key]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : CONFIG.csrfToken;
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // The same five classes as the server's legend (reports.map_analysis_views.legend).
  function classes(maxWeight) {
    var result = [];
    var low = 1;
    CONFIG.ramp.forEach(function (colour, index) {
      if (low > maxWeight) {
        return;
      }
      var high = Math.max(low, Math.round((maxWeight * (index + 1)) / CONFIG.ramp.length));
      if (index === CONFIG.ramp.length - 1) {
        high = maxWeight;
      }
      result.push({ colour: colour, low: low, high: high });
      low = high + 1;
    });
    return result;
  }

  function colourFor(weight, legend) {
    for (var i = 0; i < legend.length; i++) {
      if (weight <= legend[i].high) {
        return legend[i].colour;
      }
    }
    return CONFIG.ramp[CONFIG.ramp.length - 1];
  }

  // As reports.map_analysis.coordinates_label writes them.
  function coordinates(lat, lon) {
    return Math.abs(lat).toFixed(4) + "° " + (lat >= 0 ? "N" : "S") + ", " +
      Math.abs(lon).toFixed(4) + "° " + (lon >= 0 ? "E" : "W");
  }

  // The table beside the map follows the view: its heaviest cells, each a link that selects it.
  function showHottest(collection) {
    var table = document.querySelector("[data-analysis-hottest]");
    var label = CONFIG.kinds[kind] || kind;
    var heading = document.getElementById("legend-heading");
    if (heading) {
      heading.textContent = format(T.legendHeading, { kind: label });
    }
    if (!table) {
      return;
    }
    table.querySelector("caption").textContent = format(T.hottestCaption, { kind: label });
    table.querySelector("thead th.number").textContent = label;
    var body = table.querySelector("tbody");
    body.textContent = "";
    collection.features.slice(0, 10).forEach(function (feature) {
      var ring = feature.geometry.coordinates[0];
      var p = feature.properties;
      var bbox = [ring[0][0], ring[0][1], ring[2][0], ring[2][1]].join(",");
      var link = el("a", {
        href: "?select=bbox&bbox=" + encodeURIComponent(bbox) + "#selection-heading",
        text: T.selectArea,
      });
      body.appendChild(el("tr", {}, [
        el("td", { text: coordinates(p.latitude, p.longitude) }),
        el("td", { class: "number", text: String(p.weight) }),
        el("td", {}, [link]),
      ]));
    });
    if (!collection.features.length) {
      body.appendChild(el("tr", {}, [el("td", { colspan: "3", text: T.empty })]));
    }
  }

  function showLegend(legend) {
    if (!legendList) {
      return;
    }
    legendList.textContent = "";
    legend.forEach(function (item) {
      var swatch = el("span", { class: "swatch" });
      swatch.style.background = item.colour;
      var range = item.low === item.high ? String(item.low) : item.low + "–" + item.high;
      legendList.appendChild(el("li", {}, [swatch, " " + range]));
    });
    if (!legend.length) {
      legendList.appendChild(el("li", { text: T.empty }));
    }
  }

  var map = L.map(canvas, { zoomSnap: 1, keyboard: true });
  L.tileLayer(MAP.tileUrl, { attribution: MAP.attribution, maxZoom: MAP.maxZoom }).addTo(map);
  map.attributionControl.setPrefix(false);
  canvas.setAttribute("tabindex", "0");
  var area = CONFIG.area ? L.geoJSON(CONFIG.area, {
    interactive: false,
    style: { color: "#1a4f8b", weight: 2, fill: false },
  }).addTo(map) : null;
  if (area && area.getBounds().isValid()) {
    map.fitBounds(area.getBounds(), { padding: [12, 12] });
  } else {
    map.setView(MAP.center, MAP.zoom);
  }

  var heatLayer = L.layerGroup().addTo(map);
  var request = 0;

  function loadHeat() {
    var bounds = map.getBounds();
    var bbox = [
      Math.max(-180, bounds.getWest()), Math.max(-90, bounds.getSouth()),
      Math.min(180, bounds.getEast()), Math.min(90, bounds.getNorth()),
    ].map(function (v) { return v.toFixed(6); }).join(",");
    var url = CONFIG.heatUrl + "?kind=" + encodeURIComponent(kind) + "&zoom=" +
      Math.round(map.getZoom()) + "&bbox=" + bbox;
    var mine = ++request;
    say(T.loading);
    fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (collection) {
        if (mine !== request) {
          return;
        }
        var legend = classes(collection.max_weight);
        heatLayer.clearLayers();
        collection.features.forEach(function (feature) {
          var ring = feature.geometry.coordinates[0];
          var colour = colourFor(feature.properties.weight, legend);
          L.rectangle([[ring[0][1], ring[0][0]], [ring[2][1], ring[2][0]]], {
            color: colour, weight: 1, opacity: 0.9, fillColor: colour, fillOpacity: 0.6,
            interactive: false,
          }).addTo(heatLayer);
        });
        canvas.dataset.heatCells = String(collection.features.length);
        canvas.dataset.heatKind = kind;
        showLegend(legend);
        showHottest(collection);
        say(collection.features.length
          ? format(T.shown, { count: collection.features.length, max: collection.max_weight })
          : T.empty);
      })
      .catch(function () {
        if (mine === request) {
          say(T.failed);
        }
      });
  }

  map.on("moveend", loadHeat);
  loadHeat();

  // The layer switch works at once; the form's button stays for the page without script.
  document.querySelectorAll("[data-analysis-kind] input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      kind = radio.value;
      var url = new URL(window.location.href);
      url.searchParams.set("kind", kind);
      window.history.replaceState(null, "", url.toString());
      loadHeat();
    });
  });

  // --- drawing a selection ------------------------------------------------------------------

  var drawn = null;
  var lastGeometry = null;

  function renderResults(data) {
    results.textContent = "";
    results.appendChild(el("h3", { id: "results-heading", tabindex: "-1",
      text: format(T.results, { description: data.description }) }));
    var counts = el("ul", { class: "analysis-counts" });
    data.kinds.forEach(function (item) {
      counts.appendChild(el("li", {}, [el("strong", { text: String(item.count) }), " " + item.label]));
    });
    results.appendChild(counts);
    data.kinds.forEach(function (item) {
      if (!item.results) {
        return;
      }
      results.appendChild(el("h4", { text: item.label }));
      if (!item.results.length) {
        results.appendChild(el("p", { text: T.none }));
        return;
      }
      var list = el("ol", { class: "analysis-list", start: String((item.page - 1) * data.page_size + 1) });
      item.results.forEach(function (row) {
        var link = el("a", { href: row.url || "#", text: row.title });
        list.appendChild(el("li", {}, [link]));
      });
      results.appendChild(list);
      if (item.pages > 1) {
        var pager = el("p", { class: "meta" }, [format(T.page, { page: item.page, pages: item.pages })]);
        if (item.page > 1) {
          pager.appendChild(document.createTextNode(" "));
          pager.appendChild(pageButton(T.previous, item.page - 1));
        }
        if (item.page < item.pages) {
          pager.appendChild(document.createTextNode(" "));
          pager.appendChild(pageButton(T.next, item.page + 1));
        }
        results.appendChild(pager);
      }
    });
  }

  function pageButton(label, page) {
    var button = el("button", { type: "button", class: "button button-small button-secondary", text: label });
    button.addEventListener("click", function () {
      select(lastGeometry, page);
    });
    return button;
  }

  function select(geometry, page) {
    lastGeometry = geometry;
    say(T.selecting);
    fetch(CONFIG.selectionUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify({ geometry: geometry, page: page || 1 }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (!answer.ok) {
          var reasons = Object.keys(answer.body).map(function (key) {
            return [].concat(answer.body[key]).join(" ");
          });
          say(T.selectionFailed + " " + reasons.join(" "));
          return;
        }
        renderResults(answer.body);
        say(format(T.results, { description: answer.body.description }));
        var heading = document.getElementById("results-heading");
        if (heading) {
          heading.focus();
        }
      })
      .catch(function () {
        say(T.selectionFailed);
      });
  }

  if (map.pm) {
    var lang = (document.documentElement.lang || "en").slice(0, 2);
    try {
      map.pm.setLang(lang === "nb" ? "no" : lang);
    } catch (error) {
      // An unknown language keeps Geoman's English tooltips.
    }
    map.pm.addControls({
      position: "topleft",
      drawMarker: false,
      drawCircleMarker: false,
      drawPolyline: false,
      drawCircle: false,
      drawText: false,
      editMode: false,
      dragMode: false,
      cutPolygon: false,
      removalMode: false,
      rotateMode: false,
    });
    // Geoman's buttons are links without names: give them the names a screen reader reads.
    var names = { rectangle: T.rectangle, polygon: T.polygon };
    Object.keys(names).forEach(function (shape) {
      var icon = canvas.querySelector(".leaflet-pm-icon-" + shape);
      var button = icon && icon.closest("a, .button-container");
      if (button) {
        var link = button.tagName === "A" ? button : button.querySelector("a");
        if (link) {
          link.setAttribute("role", "button");
          link.setAttribute("aria-label", names[shape]);
          link.setAttribute("href", "#");
        }
      }
    });
    map.on("pm:create", function (event) {
      if (drawn) {
        map.removeLayer(drawn);
      }
      drawn = event.layer;
      drawn.setStyle({ color: "#1a1a1a", weight: 2, dashArray: "6 4", fillOpacity: 0.05 });
      select(drawn.toGeoJSON().geometry, 1);
    });
  }
})();
