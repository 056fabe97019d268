// Map widgets, wired by data-map-widget attributes (see maps/templates/maps/_*.html).
// Every widget enhances a page that already works without it: the form fields, the list of
// ideas and the server-side checks stay the source of truth.
(function () {
  "use strict";

  var configElement = document.getElementById("map-config");
  if (!configElement || !window.L) {
    return;
  }
  var CONFIG = JSON.parse(configElement.textContent);
  var T = CONFIG.strings;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function readJSON(id) {
    var element = id && document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
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

  function statusOf(canvas) {
    var widget = canvas.closest(".map-widget");
    return widget ? widget.querySelector("[data-map-status]") : null;
  }

  function announce(canvas, text) {
    var status = statusOf(canvas);
    if (status) {
      status.textContent = text;
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      }
    );
  }

  function baseMap(canvas, options) {
    var map = L.map(
      canvas,
      Object.assign({ zoomControl: false, keyboard: true, zoomSnap: 0.5 }, options || {})
    );
    L.control.zoom({ zoomInTitle: T.zoomIn, zoomOutTitle: T.zoomOut }).addTo(map);
    L.tileLayer(CONFIG.tileUrl, {
      attribution: CONFIG.attribution,
      maxZoom: CONFIG.maxZoom,
    }).addTo(map);
    map.attributionControl.setPrefix(false);
    // The map container takes focus for keyboard panning; give it a name to be announced by.
    canvas.setAttribute("tabindex", "0");
    return map;
  }

  function areaLayer(area, interactive) {
    if (!area) {
      return null;
    }
    return L.geoJSON(area, {
      interactive: !!interactive,
      style: { color: "#1a4f8b", weight: 3, fillColor: "#1a4f8b", fillOpacity: 0.06 },
    });
  }

  function fitArea(map, layer) {
    if (layer && layer.getBounds().isValid()) {
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    } else {
      map.setView(CONFIG.center, CONFIG.zoom);
    }
  }

  // Ray casting on the GeoJSON rings: a quick hint in the browser; the server decides.
  function ringContains(ring, lon, lat) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function areaContains(area, lon, lat) {
    if (!area) {
      return true;
    }
    var polygons = area.type === "Polygon" ? [area.coordinates] : area.coordinates || [];
    return polygons.some(function (polygon) {
      if (!ringContains(polygon[0], lon, lat)) {
        return false;
      }
      return !polygon.slice(1).some(function (hole) {
        return ringContains(hole, lon, lat);
      });
    });
  }

  function pinIcon(colour, label) {
    return L.divIcon({
      className: "map-pin",
      html:
        '<span class="map-pin-dot" style="background:' +
        (/^#[0-9a-fA-F]{6}$/.test(colour || "") ? colour : "#4a5568") +
        '"></span><span class="visually-hidden"></span>',
      iconSize: [22, 22],
      iconAnchor: [11, 11],
      popupAnchor: [0, -10],
    });
  }

  function labelMarker(marker, label) {
    // divIcons have no alt text: put the name inside, where screen readers find it.
    marker.on("add", function () {
      var element = marker.getElement();
      if (element) {
        element.querySelector(".visually-hidden").textContent = label;
        element.setAttribute("aria-label", label);
      }
    });
  }

  // --- the consultation's idea map ------------------------------------------------------------

  function ideaPopup(properties) {
    var box = el("div", { class: "map-popup" });
    box.appendChild(el("strong", { text: properties.title }));
    if (properties.category) {
      box.appendChild(el("div", { class: "meta", text: properties.category }));
    }
    if (properties.address_label) {
      box.appendChild(el("div", { class: "meta", text: properties.address_label }));
    }
    box.appendChild(
      el("div", { class: "meta", text: format(T.supports, { count: properties.support_count }) })
    );
    if (properties.url) {
      box.appendChild(el("a", { href: properties.url, text: T.openIdea }));
    }
    return box;
  }

  function listItem(properties) {
    var item = el("li");
    item.appendChild(
      properties.url
        ? el("a", { href: properties.url, text: properties.title })
        : el("span", { text: properties.title })
    );
    var meta = el("span", { class: "meta" });
    var parts = [];
    if (properties.address_label) {
      parts.push(properties.address_label);
    }
    meta.appendChild(document.createTextNode(parts.join("")));
    if (properties.category) {
      if (parts.length) {
        meta.appendChild(document.createTextNode(" · "));
      }
      var swatch = el("span", { class: "map-swatch", "aria-hidden": "true" });
      swatch.style.background = properties.colour;
      meta.appendChild(swatch);
      meta.appendChild(document.createTextNode(properties.category));
    }
    item.appendChild(meta);
    return item;
  }

  function clusterIcon(count) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    return L.divIcon({
      className: "map-cluster",
      html:
        '<span class="map-cluster-count" aria-hidden="true">' +
        count +
        '</span><span class="visually-hidden"></span>',
      iconSize: [size, size],
    });
  }

  // --- plan layers and official map services (consultations.PlanLayer, MapService) ----------

  function serviceLayer(service) {
    var options = {
      attribution: service.attribution,
      opacity: service.opacity,
      maxZoom: CONFIG.maxZoom,
      zIndex: service.role === "base" ? 1 : 5,
    };
    if (service.protocol === "wms") {
      return L.tileLayer.wms(
        service.url,
        Object.assign(options, { layers: service.layers, format: service.format, transparent: true })
      );
    }
    if (service.protocol === "wmts") {
      return wmtsLayer(service, options);
    }
    return L.tileLayer(service.url, options);
  }

  // A WMTS layer: the stored template has {TileMatrix}, {TileRow} and {TileCol}; each map zoom
  // has its matrix identifier (not always the zoom itself, e.g. "EPSG:3857:5"). Beyond the
  // set's levels Leaflet scales the nearest level's tiles; outside the layer's extent it asks
  // for none.
  var WMTSLayer = L.TileLayer.extend({
    getTileUrl: function (coords) {
      var matrix = this.options.matrices[String(this._getZoomForUrl())];
      if (matrix === undefined) {
        return L.Util.emptyImageUrl;
      }
      return this._url
        .split("{TileMatrix}")
        .join(encodeURIComponent(matrix).replace(/%3A/gi, ":"))
        .split("{TileRow}")
        .join(String(coords.y))
        .split("{TileCol}")
        .join(String(coords.x));
    },
  });

  function wmtsLayer(service, options) {
    var zooms = Object.keys(service.matrices || {}).map(Number);
    options.matrices = service.matrices || {};
    options.minNativeZoom = Math.min.apply(null, zooms);
    options.maxNativeZoom = Math.max.apply(null, zooms);
    if (service.bounds) {
      options.bounds = L.latLngBounds(
        [service.bounds[1], service.bounds[0]],
        [service.bounds[3], service.bounds[2]]
      );
    }
    return new WMTSLayer(service.url, options);
  }

  function planFeatureStyle(style) {
    return {
      color: style.color,
      weight: style.weight,
      fillColor: style.fillColor,
      fillOpacity: style.fillOpacity,
      dashArray: style.dashArray,
    };
  }

  function addPlan(map, canvas, widget) {
    var plan = readJSON(canvas.dataset.planId);
    if (!plan) {
      return;
    }
    // Services: a service that does not answer only loses its own tiles; it is said once.
    (plan.services || []).forEach(function (service) {
      var layer = serviceLayer(service);
      var toggle = widget.querySelector('[data-service-toggle="' + service.id + '"]');
      var warned = false;
      layer.on("tileerror", function () {
        if (!warned) {
          warned = true;
          var note = el("p", { class: "map-service-down meta", role: "status" }, [
            format(T.serviceDown, { name: service.name }),
          ]);
          // Above the map and its list, so the two stay side by side.
          var grid = canvas.parentNode;
          grid.parentNode.insertBefore(note, grid);
        }
      });
      if (!toggle || toggle.checked) {
        layer.addTo(map);
      }
      if (toggle) {
        toggle.hidden = false;
        toggle.addEventListener("change", function () {
          if (toggle.checked) {
            layer.addTo(map);
          } else {
            map.removeLayer(layer);
          }
        });
      }
    });
    // Layers in order: the first lies at the bottom, every one under the pins (overlay pane).
    var groups = (plan.layers || []).map(function (config) {
      var group = L.geoJSON(null, {
        style: function () {
          return planFeatureStyle(config.style);
        },
        pointToLayer: function (_feature, latlng) {
          return L.circleMarker(
            latlng,
            Object.assign(planFeatureStyle(config.style), { radius: 6, fillOpacity: 0.9 })
          );
        },
        onEachFeature: function (feature, layer) {
          var name = feature.properties.name || "#" + feature.properties.number;
          layer.bindTooltip(config.name + ": " + name);
          bindPlanComment(map, feature, layer, config.name + " — " + name);
        },
      });
      group.addTo(map);
      var toggle = widget.querySelector('[data-plan-toggle="' + config.id + '"]');
      if (toggle) {
        toggle.hidden = false;
        toggle.addEventListener("change", function () {
          if (toggle.checked) {
            group.addTo(map);
            reorder();
          } else {
            map.removeLayer(group);
          }
        });
      }
      return { config: config, group: group, zoom: null };
    });
    function reorder() {
      groups.forEach(function (entry) {
        if (map.hasLayer(entry.group)) {
          entry.group.bringToFront();
        }
      });
    }
    function load() {
      var zoom = Math.round(map.getZoom());
      groups.forEach(function (entry) {
        if (entry.zoom === zoom) {
          return;
        }
        entry.zoom = zoom;
        var joiner = entry.config.url.indexOf("?") === -1 ? "?" : "&";
        getJSON(entry.config.url + joiner + "zoom=" + zoom)
          .then(function (collection) {
            if (entry.zoom !== zoom) {
              return;
            }
            entry.group.clearLayers();
            entry.group.addData(collection);
            reorder();
          })
          .catch(function () {
            announce(canvas, format(T.planFailed, { name: entry.config.name }));
          });
      });
    }
    map.on("zoomend", load);
    load();
    addPlanComments(map);
  }

  // --- comments on the plan (debate: the topic page's form, the plan-comments feed) ---------

  var PLAN_COMMENTS = readJSON("plan-comments-map");

  // The point of a line nearest to a click, in screen pixels: the server checks it again.
  function nearestOnLine(map, layer, latlng) {
    var click = map.latLngToLayerPoint(latlng);
    var best = null;
    var lines = layer.getLatLngs();
    if (lines.length && !Array.isArray(lines[0])) {
      lines = [lines];
    }
    lines.forEach(function (line) {
      for (var i = 1; i < line.length; i++) {
        var a = map.latLngToLayerPoint(line[i - 1]);
        var b = map.latLngToLayerPoint(line[i]);
        var point = L.LineUtil.closestPointOnSegment(click, a, b);
        var distance = point.distanceTo(click);
        if (!best || distance < best.distance) {
          best = { point: point, distance: distance };
        }
      }
    });
    return best ? map.layerPointToLatLng(best.point) : latlng;
  }

  function bindPlanComment(map, feature, layer, label) {
    if (!PLAN_COMMENTS || feature.id === undefined) {
      return;
    }
    var S = PLAN_COMMENTS.strings;
    layer.on("click", function (event) {
      var query = "?feature=" + encodeURIComponent(feature.id);
      var text = S.comment;
      if (feature.geometry && feature.geometry.type !== "Point") {
        var at = /Line/.test(feature.geometry.type)
          ? nearestOnLine(map, layer, event.latlng)
          : event.latlng;
        query += "&lon=" + at.lng.toFixed(6) + "&lat=" + at.lat.toFixed(6);
        text = format(S.commentAt, { name: label });
      }
      var link = el("a", { href: PLAN_COMMENTS.topic + query + "#comment-form-heading" }, [text]);
      L.popup().setLatLng(event.latlng).setContent(el("p", {}, [link])).openOn(map);
    });
  }

  // Circles sized by the number of comments on each section of a route (or on an area).
  function addPlanComments(map) {
    if (!PLAN_COMMENTS) {
      return;
    }
    var S = PLAN_COMMENTS.strings;
    // Above the plan's lines and areas, below the ideas' pins.
    map.createPane("planComments").style.zIndex = 450;
    getJSON(PLAN_COMMENTS.feed)
      .then(function (collection) {
        var group = L.geoJSON(collection, {
          pointToLayer: function (point, latlng) {
            var count = point.properties.count;
            return L.circleMarker(latlng, {
              radius: Math.min(24, 6 + 4 * Math.sqrt(count)),
              color: "#123b63",
              weight: 2,
              fillColor: "#ffffff",
              fillOpacity: 0.85,
              className: "plan-comment-circle",
              pane: "planComments",
            })
              .bindTooltip(String(count), { permanent: true, direction: "center", className: "plan-comment-count" })
              .bindPopup(function () {
                var read = el(
                  "a",
                  { href: PLAN_COMMENTS.topic + "?feature=" + point.properties.plan_feature + "#comments" },
                  [S.read]
                );
                return el("p", {}, [
                  point.properties.layer + " — " + point.properties.feature_name + ". ",
                  format(S.count, { count: count }) + " ",
                  read,
                ]);
              });
          },
        });
        group.addTo(map);
      })
      .catch(function () {});
  }

  function initConsultationMap(canvas) {
    var area = readJSON(canvas.dataset.areaId);
    var map = baseMap(canvas);
    var outline = areaLayer(area, false);
    if (outline) {
      outline.addTo(map);
    }
    fitArea(map, outline);
    var widget = canvas.closest(".map-widget");
    addPlan(map, canvas, widget);
    var list = widget.querySelector("[data-map-list]");
    var categorySelect = widget.querySelector("[data-map-category]");
    var serverList = list.innerHTML;
    var clusters = L.layerGroup().addTo(map);
    var points = L.markerClusterGroup
      ? L.markerClusterGroup({
          showCoverageOnHover: false,
          maxClusterRadius: 40,
          // The same circles as the server's clusters, with a name screen readers announce.
          iconCreateFunction: function (cluster) {
            var count = cluster.getChildCount();
            var icon = clusterIcon(count);
            icon.options.html = icon.options.html.replace(
              '<span class="visually-hidden"></span>',
              '<span class="visually-hidden">' + (count === 1 ? T.clusterLabelOne : format(T.clusterLabel, { count: count })) + "</span>"
            );
            return icon;
          },
        })
      : L.layerGroup();
    points.addTo(map);
    var pending = null;

    function feedUrl() {
      var bounds = map.getBounds();
      var clamp = function (value, limit) {
        return Math.max(-limit, Math.min(limit, value));
      };
      var bbox = [
        clamp(bounds.getWest(), 180),
        clamp(bounds.getSouth(), 90),
        clamp(bounds.getEast(), 180),
        clamp(bounds.getNorth(), 90),
      ]
        .map(function (n) {
          return n.toFixed(6);
        })
        .join(",");
      var params = new URLSearchParams({ bbox: bbox, zoom: String(Math.round(map.getZoom())) });
      if (categorySelect && categorySelect.value) {
        params.set("category", categorySelect.value);
      }
      return canvas.dataset.feedUrl + "?" + params.toString();
    }

    function render(collection) {
      clusters.clearLayers();
      points.clearLayers();
      list.innerHTML = "";
      if (collection.clustered) {
        collection.features.forEach(function (feature) {
          var count = feature.properties.count;
          var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
          var marker = L.marker(latlng, { icon: clusterIcon(count), keyboard: true });
          labelMarker(marker, (count === 1 ? T.clusterLabelOne : format(T.clusterLabel, { count: count })));
          marker.on("click", function () {
            map.setView(latlng, Math.min(map.getZoom() + 2, CONFIG.maxZoom));
          });
          clusters.addLayer(marker);
        });
        announce(canvas, format(T.clustered, { count: collection.total }));
        list.innerHTML = serverList;
        return;
      }
      var markers = collection.features.map(function (feature) {
        var p = feature.properties;
        var marker = L.marker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], {
          icon: pinIcon(p.colour),
          keyboard: true,
          title: p.title,
        });
        labelMarker(marker, p.title);
        marker.bindPopup(ideaPopup(p));
        list.appendChild(listItem(p));
        return marker;
      });
      if (points.addLayers) {
        points.addLayers(markers);
      } else {
        markers.forEach(function (m) {
          points.addLayer(m);
        });
      }
      var total = collection.total;
      announce(
        canvas,
        total === 0 ? T.none : total === 1 ? T.showingOne : format(T.showing, { count: total })
      );
    }

    function load() {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      announce(canvas, T.loading);
      fetch(feedUrl(), { signal: pending.signal, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(render)
        .catch(function (error) {
          if (error.name !== "AbortError") {
            announce(canvas, T.loadFailed);
          }
        });
    }

    map.on("moveend", load);
    if (categorySelect) {
      categorySelect.addEventListener("change", load);
    }
    load();
  }

  // --- the home page: one marker per open consultation ----------------------------------------

  function consultationPopup(properties) {
    var box = el("div", { class: "map-popup" });
    box.appendChild(el("strong", { text: properties.title }));
    if (properties.summary) {
      box.appendChild(el("div", { class: "meta", text: properties.summary }));
    }
    box.appendChild(el("a", { href: properties.url, text: T.openConsultation }));
    return box;
  }

  function initOpenConsultationsMap(canvas) {
    // The features are in the page (the same collection as /api/v1/consultations/open.geojson):
    // no second request, and the list beside the map is the page's own HTML.
    var collection = readJSON(canvas.dataset.featuresId) || { features: [] };
    var map = baseMap(canvas, { scrollWheelZoom: false });
    var markers = collection.features.map(function (feature) {
      var p = feature.properties;
      var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
      var marker = L.marker(latlng, { icon: pinIcon("#1a4f8b"), keyboard: true, title: p.title });
      labelMarker(marker, p.title);
      marker.bindPopup(consultationPopup(p));
      marker.addTo(map);
      return marker;
    });
    if (markers.length) {
      map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [40, 40], maxZoom: 14 });
    } else {
      map.setView(CONFIG.center, CONFIG.zoom);
    }
    var count = markers.length;
    announce(
      canvas,
      count === 0
        ? T.openNone
        : count === 1
          ? T.openShowingOne
          : format(T.openShowing, { count: count })
    );
  }

  // --- one idea's pin ---------------------------------------------------------------------

  function initIdeaMap(canvas) {
    var lat = parseFloat(canvas.dataset.lat);
    var lon = parseFloat(canvas.dataset.lon);
    var map = baseMap(canvas, { scrollWheelZoom: false });
    var outline = areaLayer(readJSON(canvas.dataset.areaId), false);
    if (outline) {
      outline.addTo(map);
    }
    var marker = L.marker([lat, lon], { icon: pinIcon(canvas.dataset.colour), keyboard: false });
    marker.addTo(map);
    map.setView([lat, lon], 17);
  }

  // --- the pin picker on the idea form ---------------------------------------------------------

  function initPinPicker(canvas) {
    var data = canvas.dataset;
    var area = readJSON(data.areaId);
    var widget = canvas.closest(".map-widget");
    var latInput = document.getElementById(data.latitude);
    var lonInput = document.getElementById(data.longitude);
    var addressInput = document.getElementById(data.address);
    var titleInput = document.getElementById(data.title);
    var panel = widget.querySelector("[data-nearby-panel]");
    var map = baseMap(canvas);
    var outline = areaLayer(area, false);
    if (outline) {
      outline.addTo(map);
      fitArea(map, outline);
      map.setMaxBounds(outline.getBounds().pad(0.5));
      map.setMinZoom(Math.max(map.getZoom() - 2, CONFIG.minZoom));
    } else {
      fitArea(map, null);
    }
    var marker = null;
    // The address is filled from reverse geocoding only while the person has not typed one.
    var addressIsAutomatic = !addressInput || !addressInput.value;
    if (addressInput) {
      addressInput.addEventListener("input", function () {
        addressIsAutomatic = !addressInput.value;
      });
    }

    function currentPoint() {
      var lat = parseFloat(latInput && latInput.value);
      var lon = parseFloat(lonInput && lonInput.value);
      return isFinite(lat) && isFinite(lon) ? { lat: lat, lon: lon } : null;
    }

    function showMarker(lat, lon) {
      if (!marker) {
        marker = L.marker([lat, lon], {
          draggable: true,
          keyboard: true,
          icon: pinIcon("#c0392b"),
          title: T.pinLabel,
        }).addTo(map);
        labelMarker(marker, T.pinLabel);
        marker.on("dragend", function () {
          var position = marker.getLatLng();
          place(position.lat, position.lng, { fromDrag: true });
        });
      } else {
        marker.setLatLng([lat, lon]);
      }
    }

    function place(lat, lon, options) {
      options = options || {};
      if (!areaContains(area, lon, lat)) {
        announce(canvas, T.pinOutside);
        var previous = currentPoint();
        if (marker && previous) {
          marker.setLatLng([previous.lat, previous.lon]);
        }
        return;
      }
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
      showMarker(lat, lon);
      announce(canvas, format(T.pinPlaced, { lat: lat.toFixed(5), lon: lon.toFixed(5) }));
      if (options.label && addressInput && addressIsAutomatic) {
        addressInput.value = options.label;
      } else if (!options.label) {
        reverseGeocode(lat, lon);
      }
      findNearby();
    }

    function reverseGeocode(lat, lon) {
      if (!addressInput || !addressIsAutomatic) {
        return;
      }
      getJSON(data.reverseUrl + "?" + new URLSearchParams({ lat: lat, lon: lon }))
        .then(function (answer) {
          if (answer.result && addressIsAutomatic) {
            addressInput.value = answer.result.label;
            announce(canvas, format(T.addressFound, { label: answer.result.label }));
          }
        })
        .catch(function () {
          // The pin is enough; an address label is a nicety.
        });
    }

    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng);
    });
    widget.querySelector("[data-pin-centre]").addEventListener("click", function () {
      var centre = map.getCenter();
      place(centre.lat, centre.lng);
    });
    [latInput, lonInput].forEach(function (input) {
      if (input) {
        input.addEventListener("change", function (event) {
          if (!event.isTrusted) {
            return;
          }
          var point = currentPoint();
          if (point) {
            showMarker(point.lat, point.lon);
            map.panTo([point.lat, point.lon]);
            findNearby();
          }
        });
      }
    });
    var start = currentPoint();
    if (start) {
      showMarker(start.lat, start.lon);
    }

    // Address search.
    var searchInput = widget.querySelector("[data-geocode-input]");
    var searchButton = widget.querySelector("[data-geocode-button]");
    var results = widget.querySelector("[data-geocode-results]");

    function search() {
      var query = searchInput.value.trim();
      if (query.length < 2) {
        return;
      }
      announce(canvas, T.searching);
      results.innerHTML = "";
      getJSON(data.geocodeUrl + "?" + new URLSearchParams({ q: query }))
        .then(function (answer) {
          if (!answer.results.length) {
            announce(canvas, T.noResults);
            return;
          }
          announce(
            canvas,
            answer.results.length === 1
              ? T.resultFoundOne
              : format(T.resultsFound, { count: answer.results.length })
          );
          answer.results.forEach(function (result) {
            var button = el("button", {
              type: "button",
              class: "link-button",
              text: result.label,
            });
            button.addEventListener("click", function () {
              map.setView([result.latitude, result.longitude], Math.max(map.getZoom(), 17));
              place(result.latitude, result.longitude, { label: result.label });
              results.innerHTML = "";
              searchInput.value = result.label;
            });
            results.appendChild(el("li", {}, [button]));
          });
        })
        .catch(function () {
          announce(canvas, T.searchFailed);
        });
    }

    searchButton.addEventListener("click", search);
    searchInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter searches instead of submitting the idea form.
        event.preventDefault();
        search();
      }
    });

    // Nearby duplicates: one quiet panel, never a step in the way.
    var nearbyTimer = null;
    var lastNearbyQuery = "";

    function findNearby() {
      window.clearTimeout(nearbyTimer);
      nearbyTimer = window.setTimeout(function () {
        var point = currentPoint();
        if (!point || !data.nearbyUrl) {
          return;
        }
        var params = new URLSearchParams({
          lat: point.lat,
          lon: point.lon,
          title: titleInput ? titleInput.value : "",
        });
        if (params.toString() === lastNearbyQuery) {
          return;
        }
        lastNearbyQuery = params.toString();
        getJSON(data.nearbyUrl + "?" + params)
          .then(function (answer) {
            renderNearby(
              answer.results.filter(function (idea) {
                return String(idea.id) !== data.excludeId;
              })
            );
          })
          .catch(function () {
            renderNearby([]);
          });
      }, 400);
    }

    function apiPost(template, id) {
      return fetch(template.replace("{id}", encodeURIComponent(id)), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
    }

    function chooseExisting(idea, button) {
      if (data.signedIn !== "true") {
        // Supporting needs an account; the idea's page offers to sign in and support.
        window.location.href = idea.url;
        return;
      }
      button.disabled = true;
      apiPost(data.supportUrl, idea.id)
        .then(function (response) {
          // Already supporting it (or the support phase is over) still means "this is mine".
          return apiPost(data.followUrl, idea.id).then(function () {
            return response;
          });
        })
        .then(function () {
          window.location.href = idea.url;
        })
        .catch(function (error) {
          button.disabled = false;
          announce(canvas, format(T.supportFailed, { reason: error.message }));
        });
    }

    function renderNearby(ideas) {
      panel.innerHTML = "";
      if (!ideas.length) {
        panel.hidden = true;
        return;
      }
      panel.hidden = false;
      panel.appendChild(el("h3", { text: T.nearbyHeading }));
      panel.appendChild(el("p", { class: "help", text: T.nearbyIntro }));
      var items = el("ul", { class: "plain-list nearby-list" });
      ideas.forEach(function (idea) {
        var button = el("button", {
          type: "button",
          class: "button button-small",
          text: T.thisIsMine,
          title: T.thisIsMineHint,
        });
        button.addEventListener("click", function () {
          chooseExisting(idea, button);
        });
        var meta = [format(T.nearbyDistance, { distance: idea.distance_m })];
        if (idea.address_label) {
          meta.push(idea.address_label);
        }
        meta.push(format(T.supports, { count: idea.support_count }));
        items.appendChild(
          el("li", {}, [
            idea.url ? el("a", { href: idea.url, text: idea.title }) : el("span", { text: idea.title }),
            el("span", { class: "meta", text: meta.join(" · ") }),
            button,
          ])
        );
      });
      panel.appendChild(items);
    }

    if (titleInput) {
      titleInput.addEventListener("input", findNearby);
    }
    if (start) {
      findNearby();
    }
  }

  // --- the area editor for planners ----------------------------------------------------------

  function translateDraw() {
    if (!L.drawLocal) {
      return;
    }
    var d = L.drawLocal.draw;
    d.toolbar.buttons.polygon = T.drawPolygon;
    d.toolbar.buttons.rectangle = T.drawRectangle;
    d.toolbar.actions.text = T.cancel;
    d.toolbar.actions.title = T.cancel;
    d.toolbar.finish.text = T.finish;
    d.toolbar.finish.title = T.finish;
    d.toolbar.undo.text = T.deleteLastPoint;
    d.toolbar.undo.title = T.deleteLastPoint;
    d.handlers.polygon.tooltip = { start: T.drawStart, cont: T.drawCont, end: T.drawEnd };
    d.handlers.polyline.error = T.drawError;
    d.handlers.rectangle.tooltip.start = T.drawRectStart;
    var e = L.drawLocal.edit;
    e.toolbar.buttons.edit = T.editShapes;
    e.toolbar.buttons.remove = T.deleteShapes;
    e.toolbar.actions.save = { text: T.save, title: T.save };
    e.toolbar.actions.cancel = { text: T.cancel, title: T.cancel };
    e.toolbar.actions.clearAll = { text: T.clearAll, title: T.clearAll };
    e.handlers.edit.tooltip = { text: T.editHint, subtext: "" };
    e.handlers.remove.tooltip = { text: T.removeHint };
  }

  function initAreaEditor(canvas) {
    var textarea = document.getElementById(canvas.dataset.textarea);
    if (!textarea || !L.Control.Draw) {
      return;
    }
    translateDraw();
    var map = baseMap(canvas);
    var shapes = new L.FeatureGroup().addTo(map);

    function polygonsOf(geometry) {
      if (!geometry) {
        return [];
      }
      if (geometry.type === "FeatureCollection") {
        return geometry.features.reduce(function (all, feature) {
          return all.concat(polygonsOf(feature.geometry));
        }, []);
      }
      if (geometry.type === "Feature") {
        return polygonsOf(geometry.geometry);
      }
      if (geometry.type === "Polygon") {
        return [geometry.coordinates];
      }
      if (geometry.type === "MultiPolygon") {
        return geometry.coordinates;
      }
      return [];
    }

    function fromTextarea(fit) {
      var text = textarea.value.trim();
      shapes.clearLayers();
      if (!text) {
        return true;
      }
      var value;
      try {
        value = JSON.parse(text);
      } catch (error) {
        announce(canvas, T.areaInvalid);
        return false;
      }
      polygonsOf(value).forEach(function (coordinates) {
        // Each polygon becomes its own editable layer; holes come along as extra rings.
        L.geoJSON({ type: "Polygon", coordinates: coordinates }).eachLayer(function (layer) {
          shapes.addLayer(layer);
        });
      });
      if (fit && shapes.getLayers().length) {
        map.fitBounds(shapes.getBounds(), { padding: [12, 12] });
      }
      return true;
    }

    function toTextarea() {
      var polygons = [];
      shapes.eachLayer(function (layer) {
        var geometry = layer.toGeoJSON().geometry;
        polygons = polygons.concat(polygonsOf(geometry));
      });
      if (!polygons.length) {
        textarea.value = "";
      } else if (polygons.length === 1) {
        textarea.value = JSON.stringify({ type: "Polygon", coordinates: polygons[0] });
      } else {
        textarea.value = JSON.stringify({ type: "MultiPolygon", coordinates: polygons });
      }
      announce(canvas, T.areaSaved);
    }

    map.setView(CONFIG.center, CONFIG.zoom);
    fromTextarea(true);
    map.addControl(
      new L.Control.Draw({
        draw: {
          polygon: { allowIntersection: false, showArea: false },
          rectangle: true,
          polyline: false,
          circle: false,
          circlemarker: false,
          marker: false,
        },
        edit: { featureGroup: shapes },
      })
    );
    map.on(L.Draw.Event.CREATED, function (event) {
      shapes.addLayer(event.layer);
      toTextarea();
    });
    map.on(L.Draw.Event.EDITED, toTextarea);
    map.on(L.Draw.Event.DELETED, toTextarea);
    textarea.addEventListener("change", function () {
      fromTextarea(true);
    });

    // A GeoJSON file chosen in the form is shown at once, so the planner sees what it holds.
    var fileInput = document.getElementById(canvas.dataset.fileInput || "");
    if (fileInput && window.FileReader) {
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file) {
          return;
        }
        file.text().then(function (text) {
          var previous = textarea.value;
          textarea.value = text;
          if (fromTextarea(true)) {
            announce(canvas, T.areaFromFile);
          } else {
            textarea.value = previous;
            fromTextarea(false);
          }
        });
      });
    }
  }

  var INIT = {
    consultation: initConsultationMap,
    "open-consultations": initOpenConsultationsMap,
    idea: initIdeaMap,
    "pin-picker": initPinPicker,
    "area-editor": initAreaEditor,
  };

  function initAll() {
    document.querySelectorAll("[data-map-widget]").forEach(function (canvas) {
      if (canvas.dataset.mapReady) {
        return;
      }
      canvas.dataset.mapReady = "true";
      var init = INIT[canvas.dataset.mapWidget];
      if (init) {
        init(canvas);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
