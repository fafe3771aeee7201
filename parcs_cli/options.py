"""What the commands share about their options: request options as string parameters (read by
the same parsers as the API's query strings) and argparse's messages in French.

Examples
--------
>>> french_usage_message("argument --profile: invalid choice: 'car' (choose from 'walk', 'bike')")
"argument --profile : choix invalide 'car' (choisir parmi 'walk', 'bike')"
>>> french_usage_message("the following arguments are required: --from, --to")
'arguments obligatoires manquants : --from, --to'
"""

from __future__ import annotations

import argparse
import re

__all__ = ["french_usage_message", "request_params"]

#: argparse's messages (Python 3.11–3.13) and their French versions; ``{x}`` stands for a value.
_MESSAGES: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: {x}", "arguments obligatoires manquants : {x}"),
    ("one of the arguments {x} is required", "l'un des arguments {x} est obligatoire"),
    ("unrecognized arguments: {x}", "arguments non reconnus : {x}"),
    ("not allowed with argument {x}", "incompatible avec l'argument {x}"),
    ("ignored explicit argument {x}", "valeur explicite ignorée : {x}"),
    ("expected one argument", "une valeur attendue"),
    ("expected at most one argument", "au plus une valeur attendue"),
    ("expected at least one argument", "au moins une valeur attendue"),
    ("expected {x} arguments", "{x} valeurs attendues"),
    ("expected {x} argument", "{x} valeur attendue"),
    ("ambiguous option: {x} could match {y}", "option ambiguë : {x} peut désigner {y}"),
    ("unexpected option string: {x}", "option inattendue : {x}"),
    ("invalid choice: {x} (choose from {y})", "choix invalide {x} (choisir parmi {y})"),
    ("invalid {x} value: {y}", "valeur invalide {y} (type {x} attendu)"),
    ("unknown parser {x} (choices: {y})", "commande inconnue {x} (choisir parmi {y})"),
)


def _regex(template: str) -> re.Pattern[str]:
    pattern = re.escape(template).replace(r"\{x\}", "(?P<x>.+?)").replace(r"\{y\}", "(?P<y>.+)")
    return re.compile(f"^{pattern}$", re.DOTALL)


_COMPILED = tuple((_regex(en), fr) for en, fr in _MESSAGES)
_ARGUMENT = re.compile(r"^argument (?P<name>[^:]+): (?P<rest>.*)$", re.DOTALL)


def french_usage_message(message: str) -> str:
    """argparse's ``message`` in French (an unknown one is kept as it is, on one line)."""
    message = " ".join(message.split())
    match = _ARGUMENT.match(message)
    if match:
        return f"argument {match['name']} : {french_usage_message(match['rest'])}"
    for regex, french in _COMPILED:
        found = regex.match(message)
        if found:
            return french.format(**found.groupdict())
    return message


def request_params(args: argparse.Namespace, options: dict[str, str]) -> dict[str, list[str]]:
    """The request options of ``args`` (``options``: destination → parameter name) as the string
    parameters of a query string, for :mod:`routing.params` to read as the API does."""
    out: dict[str, list[str]] = {}
    for dest, name in options.items():
        value = getattr(args, dest, None)
        if value is not None:
            out[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out
