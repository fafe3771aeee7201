"""The ``parcs`` command line: one module per command group, assembled by :mod:`parcs.cli.main`."""
