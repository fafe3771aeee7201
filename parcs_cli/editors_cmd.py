"""``parcs editors add|list|disable`` (tourism offices' accounts) and ``parcs circuits
export|import`` (backups of their circuits as TOML or GeoJSON).

The database is ``--database URL``, else ``$DATABASE_URL``, else the web app's SQLite file in its
instance folder (``instance/editors.sqlite3``), created and migrated on first use::

    parcs editors add ana --name "Ana" --office "OT Lens-Liévin"   # password asked (or on stdin)
    parcs editors list
    parcs editors disable ana
    parcs circuits export --format toml --out circuits.toml
    parcs circuits import circuits.toml
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from parcs._errors import DataError


def _database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="database URL (default $DATABASE_URL, else instance/editors.sqlite3)")


def register(sub: Any) -> None:
    """Add ``editors`` to the ``parcs`` sub-commands."""
    p: argparse.ArgumentParser = sub.add_parser(
        "editors", help="accounts of the tourism offices who publish circuits")
    esub = p.add_subparsers(dest="editors_command", metavar="ACTION", parser_class=type(p))
    esub.required = True
    a = esub.add_parser("add", help="create an account (password asked, or read from stdin)")
    a.add_argument("username")
    a.add_argument("--name", default="", help="display name")
    a.add_argument("--office", default="", help="tourism office")
    _database(a)
    a.set_defaults(handler=cmd_add)
    ls = esub.add_parser("list", help="list the accounts")
    _database(ls)
    ls.set_defaults(handler=cmd_list)
    d = esub.add_parser("disable", help="disable an account (it can no longer log in)")
    d.add_argument("username")
    d.add_argument("--enable", action="store_true", help="enable it again instead")
    _database(d)
    d.set_defaults(handler=cmd_disable)


def register_circuit_io(csub: Any) -> None:
    """Add ``export`` and ``import`` to ``parcs circuits``."""
    e = csub.add_parser("export", help="write every office circuit as TOML or GeoJSON")
    e.add_argument("--format", choices=("toml", "geojson"), default="toml")
    e.add_argument("--out", type=Path, metavar="FILE", help="output file (default stdout)")
    _database(e)
    e.set_defaults(handler=cmd_export)
    i = csub.add_parser("import", help="restore office circuits from a TOML or GeoJSON backup")
    i.add_argument("file", type=Path)
    i.add_argument("--format", choices=("toml", "geojson"),
                   help="default: from the file name (.toml or .geojson/.json)")
    i.add_argument("--author", help="account for circuits whose author does not exist here")
    _database(i)
    i.set_defaults(handler=cmd_import)


def _store(args: argparse.Namespace) -> Any:
    from flask import Flask

    from webapp.editors.store import open_store, sqlite_url

    url = args.database or os.environ.get("DATABASE_URL") or sqlite_url(Flask("webapp").instance_path)
    return open_store(url)


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Encore : ") != first:
            raise DataError("les deux mots de passe diffèrent")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_add(args: argparse.Namespace) -> int:
    """Handler of ``parcs editors add``."""
    store = _store(args)
    editor = store.add_editor(args.username, password=_password(), display_name=args.name,
                              office=args.office)
    print(f"éditeur créé : {editor.username}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Handler of ``parcs editors list``."""
    for e in _store(args).list_editors():
        state = "désactivé" if e.disabled else "actif"
        print(f"{e.username}\t{state}\t{e.display_name}\t{e.office}")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    """Handler of ``parcs editors disable``."""
    editor = _store(args).set_disabled(args.username, disabled=not args.enable)
    print(f"{editor.username} : {'désactivé' if editor.disabled else 'actif'}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Handler of ``parcs circuits export``."""
    from parcs.atomic import atomic_path
    from webapp.editors.backup import export_geojson, export_toml

    store = _store(args)
    text = export_toml(store) if args.format == "toml" else export_geojson(store, network=_network())
    if args.out is None:
        sys.stdout.write(text)
        return 0
    with atomic_path(args.out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"{len(store.circuits())} circuits → {args.out}")
    return 0


def _network() -> Any | None:
    """The built network when there is one (for the GeoJSON lines), else ``None``."""
    from parcs._errors import ParcsError

    try:
        from routing import load_compiled

        return load_compiled()
    except (ParcsError, OSError):
        return None


def cmd_import(args: argparse.Namespace) -> int:
    """Handler of ``parcs circuits import``."""
    from webapp.editors.backup import import_backup

    fmt = args.format or ("toml" if args.file.suffix == ".toml" else "geojson")
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"fichier illisible : {args.file} ({exc})") from exc
    slugs = import_backup(_store(args), text, fmt=fmt, author=args.author)
    print(f"{len(slugs)} circuits importés")
    return 0
