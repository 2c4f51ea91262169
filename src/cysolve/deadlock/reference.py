"""The textbook algorithms, in plain Python: the oracle for the tests and the benchmarks' baseline.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), section 6.4. Never imported by a kernel.
"""

# --- Several resources of each type: the matrix algorithm and Banker's safety test ---------


def detect(allocation, request, available=None, existing=None):
    """Deadlock detection with multiple resources of each type (MOS section 6.4.2).

    ``allocation`` C and ``request`` R are lists of rows (one per process, one count per
    resource type); give ``available`` A or ``existing`` E (then A = E - column sums of C).
    As the book writes it: all processes start unmarked, then

    1. look for an unmarked process i whose row R[i] is <= A;
    2. if there is one, add C[i] to A, mark it and go back to step 1;
    3. if there is none, stop: the unmarked processes are deadlocked.

    Returns ``(deadlocked, order, available)``: the unmarked processes (sorted), the order in
    which the others were marked, and A at the end, all as lists of ints.
    """
    C = [list(row) for row in allocation]
    R = [list(row) for row in request]
    n = len(C)
    if available is None:
        m = len(existing)
        A = [existing[j] - sum(C[i][j] for i in range(n)) for j in range(m)]
    else:
        A = list(available)
    m = len(A)
    marked = [False] * n
    order = []
    while True:
        for i in range(n):
            if not marked[i] and all(R[i][j] <= A[j] for j in range(m)):
                for j in range(m):
                    A[j] += C[i][j]
                marked[i] = True
                order.append(i)
                break
        else:
            break
    deadlocked = [i for i in range(n) if not marked[i]]
    return deadlocked, order, A


def is_safe(available, allocation, max_claim):
    """Banker's algorithm (MOS section 6.5.3): is the state safe?

    The matrix algorithm with each process's remaining need, ``max_claim - allocation``, as
    its request: the state is safe when every process can run to completion in some order.
    Returns ``(safe, sequence)`` with the order in which the processes could finish.
    """
    need = [
        [claim - held for claim, held in zip(claims, holds, strict=True)]
        for claims, holds in zip(max_claim, allocation, strict=True)
    ]
    stuck, sequence, _ = detect(allocation, need, available)
    return not stuck, sequence


def request_ok(available, allocation, max_claim, process, request):
    """Banker's request test: may ``process`` be granted ``request`` now?

    A request above what is available must wait (False); otherwise pretend to grant it and
    grant it only when the resulting state is safe. The arguments are not modified.
    """
    if any(r > a for r, a in zip(request, available, strict=True)):
        return False
    after = [a - r for a, r in zip(available, request, strict=True)]
    holds = [list(row) for row in allocation]
    holds[process] = [h + r for h, r in zip(holds[process], request, strict=True)]
    return is_safe(after, holds, max_claim)[0]


# --- One resource of each type: cycles in the resource-allocation graph --------------------
