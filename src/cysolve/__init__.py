"""cysolve: exact combinatorial solvers as Cython kernels over NumPy arrays.

Two families, each with a pure-Python reference that defines the answer:

- :mod:`cysolve.xscore` - TopCoder's XScoreGame by an exact subset DP, single and batched.
- :mod:`cysolve.deadlock` - deadlock detection after Tanenbaum's *Modern Operating Systems*:
  the matrix algorithm (several units per resource type), Banker's safety test and cycles in
  resource-allocation / wait-for graphs.
"""

from cysolve import deadlock, errors, xscore
from cysolve._openmp import openmp_enabled
from cysolve._parallel import effective_threads

__version__ = "0.1.0"
__all__ = ["deadlock", "errors", "xscore", "effective_threads", "openmp_enabled", "__version__"]
