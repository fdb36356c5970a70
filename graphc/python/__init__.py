"""`graphc.python`: the module paths TF1 programs import from `tensorflow.python`
(`from tensorflow.python.client import timeline` is `from graphc.python.client import
timeline`)."""
