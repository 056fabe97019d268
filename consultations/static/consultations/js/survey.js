// Map survey: each question's map lets a resident draw a point, a line or an area with
// Leaflet-Geoman, edit it and send it with the form under the map. The drawing goes into the
// form's hidden geometry field; the server checks it. Without this script the same form builds
// the answer from places found by name, one by one.
(function () {
  "use strict";

  function readJSON(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  var CONFIG = readJSON("map-config");
  var T = readJSON("survey-strings") || {};
  if (!CONFIG || !window.L) {
    return;
  }
  var AREA = readJSON("survey-area");
  var OWN = readJSON("survey-own") || {};
  var SHAPE = { point: "Marker", line: "Line", area: "Polygon" };
  var feed = null;

  function format(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, function (_match, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function loadFeed(url) {
    if (!feed) {
      feed = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        });
    }
    return feed;
  }

  function translateGeoman(map) {
    if (!map.pm || !map.pm.setLang) {
      return;
    }
    map.pm.setLang(
      "civic",
      {
        tooltips: {
          placeMarker: T.placeMarker,
          firstVertex: T.firstVertex,
          continueLine: T.continueLine,
          finishLine: T.finishLine,
          finishPoly: T.finishPoly,
        },
        actions: { finish: T.finish, cancel: T.cancel, removeLastVertex: T.removeLastVertex },
        buttonTitles: {
          drawMarkerButton: T.drawPoint,
          drawLineButton: T.drawLine,
          drawPolyButton: T.drawArea,
          editButton: T.edit,
          deleteButton: T.remove,
        },
      },
      "en"
    );
  }

  // Geoman puts each button's name on the box around it; screen readers need it on the
  // link that takes focus.
  function nameButtons(canvas) {
    canvas.querySelectorAll(".button-container[title]").forEach(function (box) {
      var button = box.querySelector(".leaflet-buttons-control-button");
      if (button) {
        button.setAttribute("aria-label", box.getAttribute("title"));
      }
    });
  }

  function vertexCount(geometry) {
    if (geometry.type === "Point") {
      return 1;
    }
    if (geometry.type === "LineString") {
      return geometry.coordinates.length;
    }
    return geometry.coordinates[0].length - 1;
  }

  function initSurveyMap(canvas) {
    var kind = canvas.dataset.kind;
    var questionId = canvas.dataset.question;
    var status = canvas.closest(".map-widget").querySelector("[data-map-status]");
    var input = document.getElementById(canvas.dataset.geometryInput);
    var map = L.map(canvas, { zoomSnap: 0.5, keyboard: true });
    L.tileLayer(CONFIG.tileUrl, { attribution: CONFIG.attribution, maxZoom: CONFIG.maxZoom }).addTo(
      map
    );
    map.attributionControl.setPrefix(false);
    canvas.setAttribute("tabindex", "0");

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    var outline = AREA
      ? L.geoJSON(AREA, {
          interactive: false,
          pmIgnore: true,
          style: { color: "#1a4f8b", weight: 3, fillOpacity: 0.04 },
        }).addTo(map)
      : null;
    if (outline && outline.getBounds().isValid()) {
      map.fitBounds(outline.getBounds(), { padding: [12, 12] });
    } else {
      map.setView(CONFIG.center, CONFIG.zoom);
    }

    loadFeed(canvas.dataset.feedUrl)
      .then(function (collection) {
        var mine = collection.features.filter(function (feature) {
          return String(feature.properties.question) === questionId;
        });
        L.geoJSON(
          { type: "FeatureCollection", features: mine },
          {
            pmIgnore: true,
            interactive: false,
            style: function (feature) {
              var share = Math.min(0.6, 0.1 + feature.properties.count * 0.08);
              return { color: "#6b3fa0", weight: 1, fillColor: "#6b3fa0", fillOpacity: share };
            },
            pointToLayer: function (feature, latlng) {
              return L.circleMarker(latlng, {
                radius: 6 + Math.min(14, feature.properties.count * 2),
                color: "#6b3fa0",
                fillOpacity: 0.5,
              });
            },
          }
        ).addTo(map);
      })
      .catch(function () {
        say(T.feedFailed);
      });

    (OWN[questionId] || []).forEach(function (geometry) {
      L.geoJSON(geometry, {
        pmIgnore: true,
        interactive: false,
        style: { color: "#b3261e", weight: 4, dashArray: "6 4", fillOpacity: 0.1 },
      }).addTo(map);
    });

    // The places added with the keyboard form, shown as the answer they will make.
    var places = [];
    canvas
      .closest(".survey-question")
      .querySelectorAll("input[name=vertex]")
      .forEach(function (field) {
        var parts = field.value.split("|")[0].split(",");
        places.push([parseFloat(parts[1]), parseFloat(parts[0])]);
      });
    if (places.length) {
      var preview = { color: "#b3261e", weight: 3, fillOpacity: 0.15, interactive: false };
      if (kind === "area" && places.length > 2) {
        L.polygon(places, preview).addTo(map);
      } else if (kind === "line" && places.length > 1) {
        L.polyline(places, preview).addTo(map);
      }
      places.forEach(function (latlng) {
        L.circleMarker(latlng, { radius: 5, color: "#b3261e", interactive: false }).addTo(map);
      });
    }

    if (!canvas.dataset.draw || !input || !map.pm) {
      return;
    }
    translateGeoman(map);
    map.pm.addControls({
      position: "topleft",
      drawMarker: kind === "point",
      drawPolyline: kind === "line",
      drawPolygon: kind === "area",
      drawCircle: false,
      drawCircleMarker: false,
      drawRectangle: false,
      drawText: false,
      editMode: true,
      dragMode: false,
      cutPolygon: false,
      removalMode: true,
      rotateMode: false,
    });
    map.pm.setGlobalOptions({ allowSelfIntersection: false });
    nameButtons(canvas);

    var drawn = null;

    function store() {
      if (!drawn) {
        input.value = "";
        return;
      }
      var geometry = drawn.toGeoJSON().geometry;
      input.value = JSON.stringify(geometry);
      say(
        geometry.type === "Point"
          ? T.drawnPoint
          : format(T.drawn, { count: vertexCount(geometry) })
      );
    }

    map.on("pm:create", function (event) {
      if (event.shape !== SHAPE[kind]) {
        map.removeLayer(event.layer);
        return;
      }
      if (drawn) {
        map.removeLayer(drawn); // one answer at a time: the new drawing replaces the old
      }
      drawn = event.layer;
      drawn.on("pm:edit", store);
      drawn.on("pm:dragend", store);
      store();
    });
    map.on("pm:remove", function (event) {
      if (event.layer === drawn) {
        drawn = null;
        store();
        say(T.cleared);
      }
    });
  }

  function initAll() {
    document.querySelectorAll("[data-survey-map]").forEach(function (canvas) {
      if (!canvas.dataset.mapReady) {
        canvas.dataset.mapReady = "true";
        initSurveyMap(canvas);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
