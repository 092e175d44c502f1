"""Keras layers (`tfc.keras.layers`)."""

from tfc.keras.layers.base import Layer
from tfc.keras.layers.convolutional import (
    AveragePooling2D,
    AvgPool2D,
    Conv2D,
    GlobalAveragePooling2D,
    GlobalAvgPool2D,
    MaxPool2D,
    MaxPooling2D,
)
from tfc.keras.layers.core import (
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Input,
    InputLayer,
    ReLU,
    Reshape,
    Softmax,
)
from tfc.keras.layers.normalization import BatchNormalization, LayerNormalization

__all__ = ["Layer", "Input", "InputLayer", "Dense", "Flatten", "Reshape", "Dropout", "Embedding",
           "Activation", "ReLU", "Softmax", "Conv2D", "MaxPooling2D", "MaxPool2D",
           "AveragePooling2D", "AvgPool2D", "GlobalAveragePooling2D", "GlobalAvgPool2D",
           "LayerNormalization", "BatchNormalization"]
