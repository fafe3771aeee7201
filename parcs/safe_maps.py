"""Folium elements that never run data through Jinja (shared by the web app and the file reports).

branca's ``MacroElement.render`` wraps the output of every element's ``script`` macro into a new
``Element(text)``, i.e. compiles it as a Jinja template a second time: data containing ``{{ ... }}``
or ``{% ... %}`` (a name in the sources) is then *evaluated* — or breaks the page. Every Folium
element built on a template goes that way (``folium.GeoJson``, ``Tooltip``, ``Popup``, ``Marker``,
``Element(html)``...), and Folium's tooltips also paste their text unescaped into JavaScript
template literals, where ``</script>`` or ``${...}`` in a name would run.

The elements here render themselves and add their text to the figure through :class:`RawScript`,
which is never templated. Data goes in as HTML-safe JSON (:func:`js_json`); popup and tooltip HTML
must be built by the caller from escaped values (:func:`markupsafe.escape`), so that a name such as
``<script>alert(1)</script>`` shows as text once Leaflet puts it into the page.

Used by :mod:`webapp.maps` (the pages' maps) and :mod:`routing.gaps.export` (the HTML report of the
missing links). Only Folium and branca are needed: this module imports nothing of the project.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element
from folium.map import Layer

__all__ = ["GeoJsonScript", "RawScript", "add_html", "add_script", "js_json", "parent_name"]


def js_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, ``'`` and the JavaScript line separators become ``\\uXXXX`` escapes, so no
    value can close the script element or start an HTML entity; braces are left alone (the text is
    never templated, see :class:`RawScript`).

    >>> js_json({"name": "</script><b>&'"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u0027"}'
    >>> js_json({"name": "{{ 7*7 }}"})
    '{"name":"{{ 7*7 }}"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


class RawScript(Element):
    """Text (script, or HTML for the figure's ``html`` part) put into the figure as is.

    Never compiled as a Jinja template (and faster: nothing is compiled per render).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawScript"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, untouched."""
        return self.text


def add_script(element: Element, text: str) -> None:
    """Add ``text`` to the script of the figure holding ``element`` (untemplated)."""
    figure: Any = element.get_root()  # a branca Figure
    figure.script.add_child(RawScript(text), name=element.get_name())


def add_html(figure: Element, html: str) -> None:
    """Add trusted ``html`` to the body of ``figure`` (a branca ``Figure``), untemplated.

    The caller escapes every value of the data in ``html``.
    """
    root: Any = figure.get_root()
    root.html.add_child(RawScript(html))


def parent_name(element: Element) -> str:
    """The JavaScript variable name of the parent of ``element`` (its map or group)."""
    parent: Any = element._parent
    return str(parent.get_name())


class GeoJsonScript(Layer):
    """A Leaflet ``L.geoJSON`` layer whose data and options are pasted as is (never templated).

    Parameters
    ----------
    data_js
        The GeoJSON, already serialised by :func:`js_json`.
    name
        The name shown in the layer control, already escaped (Leaflet shows it as HTML).
    options_js
        The ``L.geoJSON`` options: a constant JavaScript object literal written by the caller
        (styles, popups and tooltips are read from the features' properties; never data).
    overlay, control, show
        As :class:`folium.map.Layer`.
    """

    def __init__(self, data_js: str, *, name: str, options_js: str = "{}", overlay: bool = True,
                 control: bool = True, show: bool = True) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GeoJsonScript"
        self.data_js = data_js
        self.options_js = options_js

    def render(self, **kwargs: Any) -> str:
        """Add the layer's script to the figure (see :class:`RawScript`)."""
        name = self.get_name()
        text = f"var {name} = L.geoJSON({self.data_js}, {self.options_js});\n"
        if self.show:
            text += f"{name}.addTo({parent_name(self)});\n"
        add_script(self, text)
        return ""
