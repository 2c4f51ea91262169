"""The textbook algorithms, in plain Python: the oracle for the tests and the benchmarks' baseline.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), section 6.4. Never imported by a kernel.
"""

# --- Several resources of each type: the matrix algorithm and Banker's safety test ---------


# --- One resource of each type: cycles in the resource-allocation graph --------------------
