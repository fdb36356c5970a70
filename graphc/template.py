"""TF1 `tf.make_template`: a function whose variables are created on its first call and
shared by every later call.

The template opens its variable scope (`name_`, made unique: `name_`, `name__1`, ...) on
the first call (or at once with `create_scope_now_`) and re-enters it with `reuse=True`
afterwards, so `get_variable` (and the tf.layers, which use it) find the first call's
variables. A later call that creates a new trainable variable is an error, as in TF1: it
means `tf.Variable` was used where `tf.get_variable` was meant.
"""
from __future__ import annotations

import functools

from .ir import context as _context
from .variable_scope import variable_scope
from .variables import GraphKeys


class Template:
    """A function wrapped so that its variables are shared between calls."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None,
                 custom_getter=None, create_graph_function=False) -> None:
        if name is None:
            raise ValueError("name cannot be None.")
        if create_graph_function:
            raise NotImplementedError("make_template(create_graph_function=True) is not "
                                      "supported by graphc")
        self._func, self._name = func, name
        self._unique_name, self._custom_getter = unique_name, custom_getter
        self._variable_scope = None
        self._variables_created = False
        if create_scope_now:
            with variable_scope(unique_name, default_name=name,
                                custom_getter=custom_getter) as vs:
                self._variable_scope = vs

    def _call_func(self, args, kwargs):
        graph = _context.get_default_graph()
        trainable_at_start = len(graph.get_collection(GraphKeys.TRAINABLE_VARIABLES))
        result = self._func(*args, **kwargs)
        if self._variables_created:
            trainable = graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
            if len(trainable) != trainable_at_start:
                raise ValueError("Trainable variable created when calling a template after "
                                 "the first time, perhaps you used tf.Variable when you meant "
                                 f"tf.get_variable: {trainable[trainable_at_start:]}")
        self._variables_created = True
        return result

    def __call__(self, *args, **kwargs):
        if self._variable_scope is not None:
            with variable_scope(self._variable_scope, reuse=True if self._variables_created
                                else None):
                return self._call_func(args, kwargs)
        with variable_scope(self._unique_name, default_name=self._name,
                            custom_getter=self._custom_getter) as vs:
            self._variable_scope = vs
            return self._call_func(args, kwargs)

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str:
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self) -> str:
        return "" if self._variable_scope is None else self._variable_scope.name

    def _collection(self, key) -> list:
        if self._variable_scope is None:
            return []
        return _context.get_default_graph().get_collection(key, self.variable_scope_name + "/")

    @property
    def variables(self) -> list:
        return self.global_variables + self.local_variables

    @property
    def global_variables(self) -> list:
        return self._collection(GraphKeys.GLOBAL_VARIABLES)

    @property
    def local_variables(self) -> list:
        return self._collection(GraphKeys.LOCAL_VARIABLES)

    @property
    def trainable_variables(self) -> list:
        return self._collection(GraphKeys.TRAINABLE_VARIABLES)

    @property
    def non_trainable_variables(self) -> list:
        trainable = set(map(id, self.trainable_variables))
        return [v for v in self.global_variables if id(v) not in trainable]

    trainable_weights = trainable_variables
    non_trainable_weights = non_trainable_variables
    weights = variables


def make_template(name_, func_, create_scope_now_=False, unique_name_=None,
                  custom_getter_=None, **kwargs):
    """TF1 `tf.make_template`: `func_` (with `kwargs` bound) sharing its variables between
    calls (see Template)."""
    return Template(name_, functools.partial(func_, **kwargs) if kwargs else func_,
                    create_scope_now=create_scope_now_, unique_name=unique_name_,
                    custom_getter=custom_getter_)
