/* Village maps: Leaflet (vendored), tiles from the configured server. The page never
   depends on it: without JavaScript, Leaflet or tiles, the list and addresses remain. */
(function () {
  var el = document.getElementById('map');
  if (!el || !window.L) { return; }
  var places = JSON.parse(el.dataset.places || '[]');
  if (!places.length) { return; }
  var map = L.map(el, {scrollWheelZoom: false});
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, {maxZoom: 18, attribution: el.dataset.attribution || ''}).addTo(map);
  }
  L.Icon.Default.imagePath = el.ownerDocument.querySelector('link[href*="leaflet.css"]').href.replace(/leaflet\.css.*$/, 'images/');
  var bounds = [];
  places.forEach(function (p) {
    var marker = L.marker([p[1], p[2]], {title: p[0], alt: p[0]}).addTo(map);
    var label = document.createElement(p[3] ? 'a' : 'strong');
    label.textContent = p[0];
    if (p[3]) { label.href = p[3]; }
    marker.bindPopup(label);
    bounds.push([p[1], p[2]]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 13); } else { map.fitBounds(bounds, {padding: [24, 24]}); }
})();
