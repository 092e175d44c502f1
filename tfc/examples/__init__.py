"""Examples and demos."""
