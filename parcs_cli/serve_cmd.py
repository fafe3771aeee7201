"""``parcs serve``: the web planner on Flask's development server.

For production use gunicorn (``make serve``): ``gunicorn --workers 4 --preload
'webapp:create_app()'``. The development server runs without the debugger unless ``--debug`` is
given, and the debugger (which executes code typed in the browser) is refused on any address other
than the loopback.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
from pathlib import Path

from parcs import paths
from parcs._errors import InvalidRequestError

logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names the loopback interface.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the development server until interrupted."""
    if args.debug and not is_loopback(args.host):
        raise InvalidRequestError(
            f"--debug is refused on {args.host}: the debugger runs arbitrary code; "
            "use 127.0.0.1, or gunicorn (make serve) to serve other machines"
        )
    if not 0 < args.port < 65536:
        raise InvalidRequestError(f"--port {args.port}: not a TCP port")
    from webapp import create_app

    build = Path(args.build) if args.build else paths.build_dir(args.source)
    app = create_app({"BUILD_DIR": build})
    state = app.extensions["parcs"]
    if state.error:
        logger.warning("serving without a network: %s", state.error)
    print(f"Chaîne des parcs: http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug, use_reloader=args.debug,
            load_dotenv=False, threaded=True)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command."""
    p = sub.add_parser("serve", help="run the web planner (development server)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="TCP port (default 5000)")
    p.add_argument("--source", default="opendata", help="which build to serve (default opendata)")
    p.add_argument("--build", help="build folder (default data/build/<source>)")
    p.add_argument("--debug", action="store_true",
                   help="Flask debug mode with reloader and debugger (loopback only, development)")
    p.set_defaults(handler=cmd_serve)
