"""`tf.Module` and `tf.name_scope`.

A Module finds its variables and submodules by walking its attributes when
asked (TF's `_flatten`): attributes in name order, each one flattened through
lists, tuples and dicts (dict keys sorted), this module's own leaves first,
then each submodule's in turn, every object once. So tracking needs no
registration and sees containers changed after assignment.
"""

from __future__ import annotations

import functools
import re

from tfc.frontend.context import state
from tfc.frontend.variables import Variable


class name_scope:  # noqa: N801 - TF's name
    """`with tf.name_scope("block"):` prefixes the names of variables created inside.

    A name ending in "/" is absolute (re-entering an existing scope)."""

    def __init__(self, name: str):
        if name is None:
            name = ""
        self._name = str(name)

    @property
    def name(self) -> str:
        return self._name

    def _full(self) -> str:
        if not self._name:
            return ""
        if self._name.endswith("/"):
            return self._name
        outer = state.name_scopes[-1] if state.name_scopes else ""
        return f"{outer}{self._name}/"

    def __enter__(self) -> str:
        full = self._full()
        state.name_scopes.append(full)
        return full

    def __exit__(self, *exc) -> None:
        state.name_scopes.pop()


_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _camel_to_snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


class Module:
    """Base class of objects holding variables: `variables`, `trainable_variables` and
    `submodules` are found through attributes (and lists, tuples, dicts of them)."""

    # Attributes the walk skips (subclasses may extend the set).
    _TF_MODULE_IGNORED_PROPERTIES = frozenset(("_self_unconditional_checkpoint_dependencies",
                                               "_self_unconditional_dependency_names",
                                               "_name_scope", "_scope_name"))

    def __init__(self, name: str | None = None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid "
                             "Python identifiers (e.g. a valid class name).")
        self._name = name
        with name_scope(name) as scope_name:
            self._scope_name = scope_name

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> name_scope:
        """The module's scope: variables created under `with self.name_scope:` are prefixed."""
        return name_scope(self._scope_name)

    @property
    def variables(self) -> tuple:
        """All variables of this module and its submodules (deterministic order, each once)."""
        return tuple(self._flatten(predicate=_is_variable, expand_composites=True))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=_is_trainable_variable, expand_composites=True))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=_is_non_trainable_variable, expand_composites=True))

    @property
    def submodules(self) -> tuple:
        """All modules reachable from this one (not itself), parents before children."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive: bool = True, predicate=None, attribute_traversal_key=None,
                 with_path: bool = False, expand_composites: bool = False):
        """TF's walk: yields the leaves (or (path, leaf) pairs) that satisfy `predicate`."""
        if predicate is None:
            predicate = lambda _: True  # noqa: E731
        return _flatten_module(self, recursive, predicate, attribute_traversal_key,
                               self._TF_MODULE_IGNORED_PROPERTIES, with_path, (), {id(self)}, [id(self)])

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run `method` inside the module's name scope."""

        @functools.wraps(method)
        def method_with_name_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return method_with_name_scope

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} object named {self._name!r}>" \
            if "_name" in self.__dict__ else object.__repr__(self)


def _is_variable(x) -> bool:
    return isinstance(x, Variable)


def _is_trainable_variable(x) -> bool:
    return isinstance(x, Variable) and x.trainable


def _is_non_trainable_variable(x) -> bool:
    return isinstance(x, Variable) and not x.trainable


def _is_module(x) -> bool:
    return isinstance(x, Module)


def _leaves(value, path):
    """(path, leaf) pairs of a nested structure of lists, tuples and dicts (keys sorted)."""
    if isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        for k in keys:
            yield from _leaves(value[k], path + (k,))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _leaves(v, path + (i,))
    else:
        yield path, value


def _flatten_module(module, recursive, predicate, traversal_key, ignored, with_path, module_path,
                    seen, stack):
    attrs = vars(module)
    submodules = []
    for key in sorted(attrs, key=traversal_key):
        if key in ignored:
            continue
        for path, leaf in _leaves(attrs[key], (key,)):
            leaf_id = id(leaf)
            if leaf_id in seen:
                continue
            if predicate(leaf):
                seen.add(leaf_id)
                yield (module_path + path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module):
                seen.add(leaf_id)
                submodules.append((module_path + path, leaf))
    for sub_path, sub in submodules:
        if id(sub) in stack:
            continue
        stack.append(id(sub))
        yield from _flatten_module(sub, recursive, predicate, traversal_key, ignored, with_path,
                                   sub_path, seen, stack)
        stack.pop()
