/* Chaîne des parcs — planner enhancements (vanilla JS; the page works without it).
 * - a click on the map fills the start or the destination with "lat,lon" and drops a pin;
 * - the swap button exchanges start and destination.
 */
(function () {
  "use strict";
  var form = document.getElementById("route-form");
  if (!form) { return; }
  var from = document.getElementById("from");
  var to = document.getElementById("to");
  var swap = document.getElementById("swap");
  var target = document.getElementById("click-target");

  if (swap) {
    swap.hidden = false;
    swap.addEventListener("click", function () {
      var v = from.value; from.value = to.value; to.value = v;
    });
  }

  var frame = document.querySelector("[data-map-var]");
  var map = frame ? window[frame.getAttribute("data-map-var")] : null;
  if (!map || !window.L) { return; }
  if (target) { target.hidden = false; }

  var pins = {};
  function pin(which, latlng) {
    if (pins[which]) { map.removeLayer(pins[which]); }
    var shape = document.createElement("div");
    var label = document.createElement("span");
    shape.className = "parcs-pin-shape";
    label.textContent = which === "from" ? "A" : "B";
    shape.appendChild(label);
    pins[which] = L.marker(latlng, {
      icon: L.divIcon({
        className: "parcs-pin parcs-pin-click", html: shape,
        iconSize: [28, 28], iconAnchor: [14, 28]
      }),
      keyboard: false, interactive: false
    }).addTo(map);
  }

  map.on("click", function (e) {
    var checked = form.querySelector('input[name="click_target"]:checked');
    var which = checked ? checked.value : "from";
    var value = e.latlng.lat.toFixed(5) + "," + e.latlng.lng.toFixed(5);
    (which === "from" ? from : to).value = value;
    pin(which, e.latlng);
    var next = form.querySelector('input[name="click_target"][value="' + (which === "from" ? "to" : "from") + '"]');
    if (next) { next.checked = true; }
  });

  /* the radio buttons only steer the map; never send them */
  form.addEventListener("submit", function () {
    var radios = form.querySelectorAll('input[name="click_target"]');
    for (var i = 0; i < radios.length; i++) { radios[i].disabled = true; }
  });
})();
