"""tf.Variable and tf.Module: TF's guide program unchanged, attribute tracking through
containers and nested modules, name scopes, and assignment semantics."""

from __future__ import annotations

import numpy as np
import pytest

import tfc as tf


# --- the program from TensorFlow's guide, exactly -------------------------------------------------

class SimpleModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.a_variable = tf.Variable(5.0, name="train_me")
    self.non_trainable_variable = tf.Variable(5.0, trainable=False, name="do_not_train_me")
  def __call__(self, x):
    return self.a_variable * x + self.non_trainable_variable


def test_tf_guide_simple_module():
    simple_module = SimpleModule(name="simple")
    out = simple_module(tf.constant(5.0))
    assert repr(out) == "<tf.Tensor: shape=(), dtype=float32, numpy=30.0>"
    assert simple_module.name == "simple"
    assert repr(simple_module.trainable_variables) == (
        "(<tf.Variable 'train_me:0' shape=() dtype=float32, numpy=5.0>,)")
    assert [v.name for v in simple_module.variables] == ["train_me:0", "do_not_train_me:0"]
    assert simple_module.submodules == ()


# --- tracking ---------------------------------------------------------------------------------------

class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.ones([in_features, out_features]), name="w")
        self.b = tf.Variable(tf.zeros([out_features]), name="b")

    def __call__(self, x):
        return tf.nn.relu(x @ self.w + self.b)


class Model(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.layers = [Dense(3, 4, name="d0"), Dense(4, 2, name="d1")]
        self.heads = {"b": Dense(2, 1, name="head_b"), "a": Dense(2, 1, name="head_a")}
        self.pair = (tf.Variable(1.0, name="p0"), tf.Variable(2.0, name="p1", trainable=False))
        self.shared = self.layers[0]  # reachable twice: listed once
        self.nested = [{"x": [tf.Variable(3.0, name="deep")]}]
        self.not_tracked = "just a string"

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.heads["a"](x) + self.heads["b"](x)


def test_module_tracks_through_containers_in_a_deterministic_order():
    m = Model(name="model")
    names = [v.name for v in m.variables]
    # TF's order: this module's attributes by name (containers flattened, dict keys sorted),
    # then each submodule's variables in the order the submodules were found.
    assert names == ["deep:0", "p0:0", "p1:0"] + ["b:0", "w:0"] * 4
    assert len({id(v) for v in m.variables}) == len(m.variables) == 11
    assert [s.name for s in m.submodules] == ["head_a", "head_b", "d0", "d1"]
    assert "p1:0" not in [v.name for v in m.trainable_variables]
    assert len(m.trainable_variables) == 10 and len(m.non_trainable_variables) == 1
    assert m.submodules[0].variables[0] is m.heads["a"].b
    assert m(tf.ones([5, 3])).shape == (5, 1)
    # Containers changed after assignment are seen (tracking walks attributes when asked).
    m.layers.append(Dense(1, 1, name="late"))
    assert "late" in [s.name for s in m.submodules]
    # A module cycle does not loop.
    m.layers[0].parent = m
    assert len(m.submodules) == 5


def test_module_names_and_name_scopes():
    class MyLayer(tf.Module):
        pass

    assert MyLayer().name == "my_layer"
    with pytest.raises(ValueError, match="valid module name"):
        MyLayer(name="not a name")

    class Scoped(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            with self.name_scope:
                self.v = tf.Variable(1.0, name="v")

        @tf.Module.with_name_scope
        def make(self):
            return tf.Variable(2.0, name="made")

    s = Scoped(name="outer")
    assert s.v.name == "outer/v:0" and s.make().name == "outer/made:0"
    assert s.name_scope.name == "outer/"
    with tf.name_scope("block"):
        inner = Scoped(name="inner")
        assert tf.Variable(0.0).name == "block/Variable:0"
    assert inner.v.name == "block/inner/v:0"


# --- variables ---------------------------------------------------------------------------------------

def test_variable_basics():
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.shape == (2,) and v.dtype == tf.float32 and v.name == "v:0" and v.trainable
    assert repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert tf.Variable(1, dtype=tf.float64).dtype == tf.float64
    assert tf.Variable(lambda: tf.ones([2])).shape == (2,)
    assert isinstance(v + 1, tf.Tensor) and (v * v).numpy().tolist() == [1.0, 4.0]
    assert (v[1]).numpy() == 2.0 and (2 - v).numpy().tolist() == [1.0, 0.0]
    np.testing.assert_array_equal(tf.matmul(tf.reshape(v, [1, 2]), tf.ones([2, 1])), [[3.0]])
    np.testing.assert_array_equal(np.asarray(v), [1.0, 2.0])
    assert tf.is_tensor(v) and isinstance(tf.convert_to_tensor(v), tf.Tensor)


def test_variable_assign_semantics():
    v = tf.Variable([1.0, 2.0, 3.0])
    snapshot = v.read_value()
    assert v.assign([4.0, 5.0, 6.0]) is v
    assert v.numpy().tolist() == [4.0, 5.0, 6.0]
    assert snapshot.numpy().tolist() == [1.0, 2.0, 3.0]  # a read is a snapshot
    v.assign_add(tf.ones([3]))
    v.assign_sub(tf.constant([0.5, 0.5, 0.5]))
    assert v.numpy().tolist() == [4.5, 5.5, 6.5]
    # Unshared buffers are updated in place.
    buf = v._value.__array_interface__["data"][0]
    v.assign([0.0, 0.0, 0.0])
    assert v._value.__array_interface__["data"][0] == buf


def test_variable_assign_wrong_shape_or_dtype_is_an_error():
    v = tf.Variable(tf.zeros([2, 3]), name="kernel")
    with pytest.raises(ValueError, match=r"kernel:0 has shape \(2, 3\).*shape \(3,\)"):
        v.assign(tf.ones([3]))  # would broadcast: an error, never silent
    with pytest.raises(ValueError, match="shape"):
        v.assign_add(tf.ones([1, 3]))
    with pytest.raises(ValueError, match="test_module.py"):
        v.assign(1.0)  # a scalar is not a (2, 3) value either
    with pytest.raises(TypeError, match="dtype"):
        v.assign(tf.zeros([2, 3], dtype=tf.float64))
    with pytest.raises(TypeError):
        tf.Variable([1, 2]).assign([1.5, 2.0])
    assert v.numpy().tolist() == [[0.0] * 3] * 2
