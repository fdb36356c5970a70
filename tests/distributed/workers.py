"""Programs the MPI tests run in every rank (each writes its results to
<argv[1]>/result_<rank>.json)."""

COLLECTIVES = r'''
import json, sys
import numpy as np
import graphc as tf
import graphc.distributed as hvd

hvd.init()
r, n = hvd.rank(), hvd.size()
out = {"rank": r, "size": n, "local_rank": hvd.local_rank(), "local_size": hvd.local_size()}
x = tf.placeholder(tf.float64, [None, 2])   # rank r: r + 1 rows of r + 1
z = tf.placeholder(tf.float64, [2, 2])      # rank r: all r + 1
red = hvd.allreduce(z)
red_sum = hvd.allreduce(z, op=hvd.Sum)
gat = hvd.allgather(x)
bc = hvd.broadcast(z, root_rank=1)
scale = float(r + 1)
g_red = tf.gradients(tf.reduce_sum(scale * red), z)[0]
g_red_sum = tf.gradients(tf.reduce_sum(scale * red_sum), z)[0]
g_gat = tf.gradients(tf.reduce_sum(scale * gat), x)[0]
g_bc = tf.gradients(tf.reduce_sum(scale * bc), z)[0]
fp16 = hvd.allreduce(tf.constant([1.0 / 3.0 + r], tf.float32),
                     compression=hvd.Compression.fp16)
scalars = [hvd.allreduce(tf.constant(scale, tf.float64)),
           hvd.broadcast(tf.constant(scale, tf.float64), 1)]
feed = {x: np.full((r + 1, 2), float(r + 1)), z: np.full((2, 2), float(r + 1))}
for backend in ("numpy", "llvm"):
    with tf.Session(backend=backend) as sess:
        v = sess.run([red, red_sum, gat, bc, g_red, g_red_sum, g_gat, g_bc, fp16] + scalars,
                     feed)
    out[backend] = [a.tolist() for a in v]
with open(f"{sys.argv[1]}/result_{r}.json", "w") as f:
    json.dump(out, f)
'''

# rank 0 feeds a [2, 2] tensor, rank 1 a [3, 2] one: allreduce must name the tensor
MISMATCH = r'''
import numpy as np
import graphc as tf
import graphc.distributed as hvd
hvd.init()
x = tf.placeholder(tf.float64, [None, 2], name="features")
y = hvd.allreduce(x, name="grad_of_features")
with tf.Session() as sess:
    sess.run(y, {x: np.zeros((2 + hvd.rank(), 2))})
'''

# the ranks run the same two allreduces in opposite orders: an error naming both tensors
ORDER = r'''
import numpy as np
import graphc as tf
import graphc.distributed as hvd
hvd.init()
a = hvd.allreduce(tf.constant([1.0, 2.0]), name="grad_of_weights")
b = hvd.allreduce(tf.constant([3.0, 4.0]), name="grad_of_biases")
with tf.Session() as sess:
    for t in ([a, b] if hvd.rank() == 0 else [b, a]):
        sess.run(t)
'''

TRAINING = r'''
import json
import sys
import numpy as np
import graphc as tf
import graphc.distributed as hvd

hvd.init()
r, n = hvd.rank(), hvd.size()
B, STEPS = 4, 5
data = np.random.RandomState(0)
X, Y = data.randn(STEPS * n * B, 5), data.randn(STEPS * n * B, 2)


def model(distributed, seed):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [None, 5])
        y = tf.placeholder(tf.float64, [None, 2])
        w = tf.Variable(np.random.RandomState(seed).randn(5, 3))
        w2 = tf.Variable(np.random.RandomState(seed + 1).randn(3, 2))
        b = tf.Variable(np.zeros(2))
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.tanh(tf.matmul(x, w)), w2) + b - y))
        opt = tf.train.GradientDescentOptimizer(0.1)
        if distributed:
            opt = hvd.DistributedOptimizer(opt, fusion_threshold_bytes=64)
        train = opt.minimize(loss)
        init = [tf.global_variables_initializer()]
        if distributed:
            init.append(hvd.broadcast_global_variables(0))
        n_allreduce = sum(op.type == "HorovodAllreduce" for op in g.get_operations())
    return g, x, y, train, init, [w, w2, b], n_allreduce


out = {"rank": r}
for backend in ("numpy", "llvm"):
    # distributed: seeds differ per rank, the broadcast makes them equal
    g, x, y, train, init, vs, n_ar = model(True, 10 + r)
    with tf.Session(graph=g, backend=backend) as sess:
        for op in init:
            sess.run(op)
        for s in range(STEPS):
            lo = (s * n + r) * B
            sess.run(train, {x: X[lo:lo + B], y: Y[lo:lo + B]})
        dist = [a.tolist() for a in sess.run(vs)]
    g, x, y, train, init, vs, _ = model(False, 10)
    with tf.Session(graph=g, backend=backend) as sess:
        sess.run(init[0])
        for s in range(STEPS):
            lo = s * n * B
            sess.run(train, {x: X[lo:lo + n * B], y: Y[lo:lo + n * B]})
        single = [a.tolist() for a in sess.run(vs)]
    out[backend] = {"distributed": dist, "single": single, "allreduce_ops": n_ar}
with open(f"{sys.argv[1]}/result_{r}.json", "w") as f:
    json.dump(out, f)
'''

# rank 1 dies (os._exit(1) or (0), SIGKILL) or raises in the middle of training (or, with
# "finish", goes on); rank 0 must not hang. With a second argument, each rank writes its
# pid to <argv[2]>/pid_<rank>.txt
FAILING = r'''
import os, signal, sys
import numpy as np
import graphc as tf
import graphc.distributed as hvd
hvd.init()
if len(sys.argv) > 2:
    with open(f"{sys.argv[2]}/pid_{hvd.rank()}.txt", "w") as f:
        f.write(str(os.getpid()))
x = tf.placeholder(tf.float64, [3])
y = hvd.allreduce(x, name="step_grad")
with tf.Session() as sess:
    for step in range(4):
        if hvd.rank() == 1 and step == 2:
            if sys.argv[1] == "die":
                os._exit(1)
            if sys.argv[1] == "die0":
                os._exit(0)
            if sys.argv[1] == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if sys.argv[1] != "finish":
                raise RuntimeError("worker failed on purpose")
        sess.run(y, {x: np.ones(3)})
'''
