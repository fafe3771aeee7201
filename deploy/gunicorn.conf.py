"""gunicorn settings of ``make serve`` (``gunicorn --config deploy/gunicorn.conf.py``).

``make serve`` gives the bind address and the number of workers on the command line (``HOST``,
``PORT``, ``WORKERS``); everything else is here:

- the compiled network is loaded once by the master (``preload_app``) and shared by the forked
  workers; a missing or damaged build does not stop the master: the app answers 503 JSON;
- request-line limit: the app refuses query strings over ``MAX_QUERY_LENGTH`` (4 KB) with its
  own JSON ``414 uri_too_long``; gunicorn's default limit (4094 bytes for the whole line) would
  answer first with an HTML page, so its limit is raised to its maximum (8190 bytes): every line
  up to that size reaches the app;
- timeouts: a request's searches stop at the app's time budget (``REQUEST_BUDGET``, 2 s), so a
  worker silent for ``timeout`` seconds is stuck and is replaced; ``graceful_timeout`` lets
  workers finish their requests on reload or shutdown;
- graceful recycling: each worker is replaced after ``max_requests`` requests (plus a random
  jitter, so that they are not all replaced at once), which bounds any slow memory growth.
"""

from webapp.config import DEFAULT_CONFIG

wsgi_app = "webapp:create_app()"
preload_app = True
worker_class = "sync"

#: gunicorn's ceiling for a request line; must stay above the app's own limit.
limit_request_line = 8190
if limit_request_line <= int(DEFAULT_CONFIG["MAX_QUERY_LENGTH"]) + 512:
    raise ValueError("limit_request_line must leave room above the app's MAX_QUERY_LENGTH")
limit_request_fields = 50
limit_request_field_size = 8190

timeout = 30
graceful_timeout = 20
keepalive = 5

max_requests = 2000
max_requests_jitter = 200

#: gunicorn ≥ 25's runtime control socket (one path per user by default, shared by every instance
#: on the machine): not used by this deployment (older versions ignore the setting).
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = "info"
