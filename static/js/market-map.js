/* The public market map (/markets/map/): markers of the GeoJSON feed, each with a popup.
   Leaflet is vendored (static/vendor/leaflet/); the tile server is a setting passed in the
   map element's data attributes; without one the markers stand on a plain background.
   The list below the map carries the same information as text, for readers without it. */
(function () {
  "use strict";

  function line(label, value) {
    var p = document.createElement("p");
    var b = document.createElement("b");
    b.textContent = label + "：";
    p.appendChild(b);
    p.appendChild(document.createTextNode(value || "—"));
    return p;
  }

  // Built from DOM nodes, never HTML strings: the fields are text typed by staff.
  function popup(props, labels) {
    var box = document.createElement("div");
    var title = document.createElement("h3");
    title.textContent = props.name;
    box.appendChild(title);
    box.appendChild(line(labels.address, props.address));
    box.appendChild(line(labels.hotline, props.hotline));
    box.appendChild(line(labels.hours, props.opening_hours));
    var card = document.createElement("a");
    card.href = props.card_url;
    card.textContent = labels.card;
    box.appendChild(card);
    return box;
  }

  function start() {
    var el = document.getElementById("market-map");
    if (!el || !window.L) return;
    var data = el.dataset;
    var labels = {
      address: data.labelAddress, hotline: data.labelHotline,
      hours: data.labelHours, card: data.labelCard
    };
    L.Icon.Default.imagePath = data.imagePath;
    // China as a whole until the markers are known.
    var map = L.map(el, { scrollWheelZoom: false }).setView([35, 105], 4);
    // The library's credit as a plain link (its default prefix carries a flag).
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, {
        subdomains: data.tileSubdomains || "abc",
        attribution: data.tileAttribution || "",
        maxZoom: 18
      }).addTo(map);
    }
    fetch(data.feed, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          onEachFeature: function (feature, marker) {
            // Panned clear of the zoom buttons (top left), which would cover the name, and
            // narrow enough on a phone to fit beside them (Leaflet adds 46 px around it).
            marker.bindPopup(popup(feature.properties, labels), {
              autoPanPaddingTopLeft: L.point(56, 10),
              maxWidth: Math.min(300, el.clientWidth - 110)
            });
            marker.options.title = feature.properties.name;
            marker.options.alt = feature.properties.name;
          }
        }).addTo(map);
        if (collection.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 14 });
        }
        el.dataset.markers = String(collection.features.length);
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
