"""tfc: a TensorFlow-style ML system whose engine is an MLIR-style compiler on xDSL."""

__version__ = "0.1.0"
