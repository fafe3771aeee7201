/* Chaîne des parcs — place fields (vanilla JS; without it the fields keep their <datalist>).
 * - every input[data-places] suggests places from /api/places as the user types (ranked by the
 *   server; arrows + Enter or a click pick one; Escape closes); the picked place's id fills the
 *   field, its label shows under it; nothing is suggested once a complete id or name is typed;
 * - a button[data-locate] (« Ma position ») fills its field with the browser's position "lat,lon".
 */
(function () {
  "use strict";
  var DELAY_MS = 120;

  function suggestions(input) {
    var url = input.getAttribute("data-places");
    var list = document.createElement("ul");
    var note = document.createElement("p");
    var timer = null, seq = 0, items = [], active = -1;
    list.id = input.id + "-suggestions";
    list.className = "place-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    note.className = "place-picked";
    note.id = input.id + "-picked";
    input.parentNode.insertBefore(list, input.nextSibling);
    input.parentNode.insertBefore(note, list.nextSibling);
    input.removeAttribute("list");  /* the server's ranking replaces the native datalist */
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function pick(i) {
      var place = items[i];
      if (!place) { return; }
      input.value = place.id;
      note.textContent = place.label + " — " + place.category_label;
      close();
    }
    function highlight(i) {
      var nodes = list.children;
      for (var k = 0; k < nodes.length; k++) {
        nodes[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
      if (i >= 0 && nodes[i]) { input.setAttribute("aria-activedescendant", nodes[i].id); }
    }
    function show(places) {
      items = places;
      list.textContent = "";
      places.forEach(function (place, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        var kind = document.createElement("span");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-id", place.id);
        name.className = "place-label";
        name.textContent = place.label;
        kind.className = "place-kind";
        kind.textContent = place.category_label;
        li.appendChild(name);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.style.top = (input.offsetTop + input.offsetHeight) + "px";  /* under the input, over the rest */
      list.hidden = places.length === 0;
      input.setAttribute("aria-expanded", places.length ? "true" : "false");
      highlight(-1);
    }
    function query() {
      var text = input.value;
      var mine = ++seq;
      if (!text.trim() || /^\s*-?\d+(\.\d+)?\s*[,; ]\s*-?\d+(\.\d+)?\s*$/.test(text)) { close(); return; }
      fetch(url + "?" + new URLSearchParams({q: text.slice(0, 200), limit: "8"}).toString(),
            {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {places: []}; })
        .then(function (body) {
          if (mine !== seq) { return; }
          var places = body.places || [];
          var typed = text.trim().toLowerCase();
          /* a complete id or name typed: nothing to suggest */
          if (places.length && (places[0].id.toLowerCase() === typed || places[0].name.toLowerCase() === typed)) {
            close(); return;
          }
          show(places);
        })
        .catch(function () { if (mine === seq) { close(); } });
    }
    input.addEventListener("input", function () {
      note.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(query, DELAY_MS);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var n = items.length;
        highlight(((active + (e.key === "ArrowDown" ? 1 : -1)) % n + n) % n);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault(); pick(active);
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function locate(button) {
    var input = document.getElementById(button.getAttribute("data-locate"));
    var status = document.createElement("span");
    if (!input || !navigator.geolocation) { return; }
    status.className = "locate-status";
    status.setAttribute("aria-live", "polite");
    button.parentNode.insertBefore(status, button.nextSibling);
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-busy") || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        input.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
        status.textContent = "";
        input.dispatchEvent(new Event("change", {bubbles: true}));
      }, function () {
        status.textContent = button.getAttribute("data-error") || "";
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  var inputs = document.querySelectorAll("input[data-places]");
  for (var i = 0; i < inputs.length; i++) { suggestions(inputs[i]); }
  var buttons = document.querySelectorAll("button[data-locate]");
  for (var j = 0; j < buttons.length; j++) { locate(buttons[j]); }
})();
