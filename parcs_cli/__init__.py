"""The ``parcs`` command: the application over the three layers, one module per command group.

It sits above :mod:`parcs` (territory data and network builds), :mod:`routing` (algorithms on the
compiled network) and :mod:`webapp` (HTTP), and may import all three; none of them imports it.
:mod:`parcs_cli.main` assembles the command groups and maps user errors to one French line and
exit code 2.
"""
