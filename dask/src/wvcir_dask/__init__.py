"""wvcir-dask: ``wvcir analyze`` over capture archives on a Dask cluster, one report out."""

from .driver import DriverError, Input, expand, run

__all__ = ["DriverError", "Input", "expand", "run"]
