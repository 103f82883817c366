"""Personalized PageRank, solved directly instead of by power iteration.

Restarts and the rank of dangling nodes (those without edges) both go back to the seeds, so
the stationary vector satisfies ``r = d·M·r + a·s`` for a scalar a (s: the seeds' restart
distribution, M: each node's rank split evenly over its edges). Hence r is proportional to
the solution of ``x = s + d·M·x``, and r = x / Σx.

That system is solved over the strongly connected components in topological order: a node on
no cycle is final as soon as its parents are (one pass over its incoming edges), and only the
nodes of a cycle are iterated (Gauss-Seidel, see ``_settle``) until they settle. The result is
exact to ~1e-13, where 100 power iterations stopped at an L1 change of 1e-9.
"""

from __future__ import annotations

DAMPING = 0.85
TOLERANCE = 1e-13  # relative L1 change of one cycle's values between two sweeps
MAX_SWEEPS = 1000  # over one cycle; each sweep shrinks the error by a factor of DAMPING at least
STEADY = 0.01  # successive ratios of change this close (relatively) make a steady factor


def pagerank(seeds: list[str], edges: dict[str, list[str]]) -> dict[str, float]:
    """Each node's rank (they sum to 1): restarts and dangling rank go to ``seeds``."""
    if not seeds:
        return {}
    nodes = sorted(set(edges).union(*edges.values(), seeds))
    index = {node: i for i, node in enumerate(nodes)}
    succ = [[index[t] for t in edges.get(node, ())] for node in nodes]
    pred: list[list[int]] = [[] for _ in nodes]
    for parent, targets in enumerate(succ):
        for child in targets:
            pred[child].append(parent)
    weight = [DAMPING / len(targets) if targets else 0.0 for targets in succ]
    restart = [0.0] * len(nodes)
    for seed in seeds:
        restart[index[seed]] += 1.0 / len(seeds)
    x = [0.0] * len(nodes)
    share = [0.0] * len(nodes)  # x[node] · weight[node]: what each of its edges passes on
    for component in components(succ):
        node = component[0]
        if len(component) == 1 and node not in pred[node]:
            x[node] = restart[node] + sum([share[p] for p in pred[node]])
            share[node] = x[node] * weight[node]
        else:
            _settle(component, pred, weight, restart, x, share)
    total = sum(x)
    return {node: value / total for node, value in zip(nodes, x, strict=True)}


def _settle(
    component: list[int],
    pred: list[list[int]],
    weight: list[float],
    restart: list[float],
    x: list[float],
    share: list[float],
) -> None:
    """Iterate one cycle's values (Gauss-Seidel), the rank flowing in from outside it being
    final already. Soon each sweep's step is the last one times a steady factor λ (the cycle's
    dominant eigenvalue, when it is real and positive); once two sweeps in a row agree on that,
    node by node, the values jump to where that geometric series ends, x + Δx·λ/(1-λ) (Aitken
    extrapolation): a cycle of thousands of packages then settles in about 20 sweeps instead
    of 90. Where the error turns round instead (cycles of several lengths), the sizes of the
    steps may shrink steadily while their directions do not follow: no jump is made, and the
    sweeps converge on their own (each one shrinks the error by a factor of DAMPING at least)."""
    members = set(component)
    inside = [[p for p in pred[node] if p in members] for node in component]
    outside = [
        restart[node] + sum([share[p] for p in pred[node] if p not in members])
        for node in component
    ]
    get = share.__getitem__
    step = [0.0] * len(component)
    last: list[float] = []  # the previous sweep's step
    previous = 0.0  # and its size
    steady = 0  # sweeps in a row whose step was the previous one times the same factor
    for _ in range(MAX_SWEEPS):
        change = total = 0.0
        for i, node in enumerate(component):
            value = outside[i] + sum(map(get, inside[i]))
            step[i] = value - x[node]
            change += abs(step[i])
            total += value
            x[node] = value
            share[node] = value * weight[node]
        if change <= TOLERANCE * total:
            return
        ratio = change / previous if previous else 0.0
        along = 0 < ratio < 1 and _along(step, last, ratio) <= STEADY * change
        steady = steady + 1 if along else 0
        if steady == 2:
            factor = ratio / (1 - ratio)
            for i, node in enumerate(component):
                x[node] += step[i] * factor
                share[node] = x[node] * weight[node]
            steady, previous, last = 0, 0.0, []
        else:
            previous, last = change, step.copy()


def _along(step: list[float], last: list[float], ratio: float) -> float:
    """How far ``step`` is from ``last`` times ``ratio``, node by node (L1)."""
    return sum([abs(now - ratio * before) for now, before in zip(step, last, strict=True)])


def components(succ: list[list[int]]) -> list[list[int]]:
    """Strongly connected components of the graph ``succ`` (node -> its children), parents
    before children (Tarjan's algorithm, without recursion)."""
    order = [-1] * len(succ)  # when each node was first reached
    low = [0] * len(succ)
    on_stack = [False] * len(succ)
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for root in range(len(succ)):
        if order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        calls = [(root, iter(succ[root]))]
        while calls:
            node, children = calls[-1]
            for child in children:
                if order[child] < 0:
                    order[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack[child] = True
                    calls.append((child, iter(succ[child])))
                    break
                if on_stack[child] and order[child] < low[node]:
                    low[node] = order[child]
            else:
                calls.pop()
                if calls and low[node] < low[calls[-1][0]]:
                    low[calls[-1][0]] = low[node]
                if low[node] == order[node]:
                    component: list[int] = []
                    while not component or component[-1] != node:
                        member = stack.pop()
                        on_stack[member] = False
                        component.append(member)
                    found.append(component)
    found.reverse()  # Tarjan's algorithm completes a component after all those below it
    return found
