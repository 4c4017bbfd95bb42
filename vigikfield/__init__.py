"""vigikfield: put one shared Vigik pass on every building hall of a territory."""

__version__ = "0.1.0"
