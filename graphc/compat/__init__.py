"""`tf.compat.v1`: the same API (graphc is TF1), so `tensorflow.compat.v1` code runs."""
v1 = None  # set to the graphc module by graphc/__init__.py


def as_bytes(text, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding) if isinstance(text, str) else bytes(text)


def as_text(data, encoding: str = "utf-8") -> str:
    return data.decode(encoding) if isinstance(data, bytes) else str(data)


as_str = as_text
