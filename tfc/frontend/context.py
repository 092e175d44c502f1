"""Per-thread front-end state: the function being traced, the recording tapes, name scopes.

Eager is the default. While `tf.function` traces a Python function, a
`FuncGraph` is current: variable reads become inputs of the program, random
ops become host-fed inputs, and op results are symbolic `tf.Tensor`s.
"""

from __future__ import annotations

import contextlib
import threading


class _State(threading.local):
    def __init__(self):
        self.graphs: list = []        # FuncGraphs being traced, innermost last
        self.tapes: list = []         # GradientTapes inside their `with` block
        self.name_scopes: list[str] = []
        self.run_eagerly = False      # tf.config.run_functions_eagerly


state = _State()


def current_graph():
    """The FuncGraph being traced on this thread, or None when eager."""
    graphs = state.graphs
    return graphs[-1] if graphs else None


def executing_eagerly() -> bool:
    """tf.executing_eagerly(): False while a tf.function is being traced."""
    return not state.graphs


@contextlib.contextmanager
def init_scope():
    """tf.init_scope(): run the body eagerly, outside any traced function, with tapes paused.

    This is how a layer creates its variables lazily on the first call of a
    compiled function: their initial values are computed eagerly, once.
    """
    graphs, tapes = state.graphs, state.tapes
    state.graphs, state.tapes = [], []
    try:
        yield
    finally:
        state.graphs, state.tapes = graphs, tapes


def run_functions_eagerly(run_eagerly: bool) -> None:
    """tf.config.run_functions_eagerly: call tf.functions as plain Python (for debugging)."""
    state.run_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return state.run_eagerly
