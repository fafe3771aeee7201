"""Tourism offices' editors: accounts, stored circuits, login and the composer.

- :mod:`webapp.editors.schema`: tables and versioned migrations (SQLAlchemy Core);
- :mod:`webapp.editors.store`: the data layer (SQLite in the instance folder, or PostgreSQL via
  ``DATABASE_URL``), used by the web app and by ``parcs editors`` / ``parcs circuits``;
- :mod:`webapp.editors.auth`: session secret, CSRF tokens, login and its rate limit;
- :mod:`webapp.editors.views`: the login and composer pages.
"""
