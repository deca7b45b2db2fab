"""Pure staffing domain: tier policies, demand, queue waits, backlog, simulation and pressure.

Plain dataclasses and numpy arrays in, numbers and explanations out. This package imports
nothing of Storemon's and no Qt or SQLAlchemy (DESIGN.md dependency rule), so a researcher
can lift it into a notebook.
"""
