"""Classic TF1 training programs, written as TF1 users write them, run through graphc."""
import numpy as np

import graphc as tf


def test_linear_regression_one_sample_per_run():
    # The classic "linear_regression.py" example: GradientDescent, one sample per run.
    np.random.seed(1)
    rng = np.random
    train_X = np.asarray([3.3, 4.4, 5.5, 6.71, 6.93, 4.168, 9.779, 6.182, 7.59, 2.167,
                          7.042, 10.791, 5.313, 7.997, 5.654, 9.27, 3.1])
    train_Y = np.asarray([1.7, 2.76, 2.09, 3.19, 1.694, 1.573, 3.366, 2.596, 2.53, 1.221,
                          2.827, 3.465, 1.65, 2.904, 2.42, 2.94, 1.3])
    n_samples = train_X.shape[0]
    X = tf.placeholder("float")
    Y = tf.placeholder("float")
    W = tf.Variable(rng.randn(), name="weight")
    b = tf.Variable(rng.randn(), name="bias")
    pred = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * n_samples)
    optimizer = tf.train.GradientDescentOptimizer(0.01).minimize(cost)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        for _epoch in range(1000):
            for (x, y) in zip(train_X, train_Y):
                sess.run(optimizer, feed_dict={X: x, Y: y})
        training_cost = sess.run(cost, feed_dict={X: train_X, Y: train_Y})
        w_value, b_value = sess.run(W), sess.run(b)
    # the same per-sample SGD in plain numpy, from the same initial values
    np.random.seed(1)
    w, c = np.float32(np.random.randn()), np.float32(np.random.randn())
    for _epoch in range(1000):
        for (x, y) in zip(train_X.astype(np.float32), train_Y.astype(np.float32)):
            err = w * x + c - y
            w, c = w - np.float32(0.01) * err * x / n_samples, c - np.float32(0.01) * err / \
                n_samples
    np.testing.assert_allclose([w_value, b_value], [w, c], rtol=1e-3, atol=1e-4)
    assert training_cost < 0.1  # the least-squares optimum is 0.0769


def _digits():
    from sklearn.datasets import load_digits
    d = load_digits()
    order = np.random.RandomState(0).permutation(len(d.data))
    x = (d.data[order] / 16.0).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[d.target[order]]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def _mlp():
    x = tf.placeholder(tf.float32, [None, 64])
    y = tf.placeholder(tf.float32, [None, 10])
    weights = {"h1": tf.Variable(tf.random_normal([64, 64], stddev=0.1, seed=1)),
               "out": tf.Variable(tf.random_normal([64, 10], stddev=0.1, seed=2))}
    biases = {"b1": tf.Variable(tf.zeros([64])), "out": tf.Variable(tf.zeros([10]))}
    layer_1 = tf.nn.relu(tf.add(tf.matmul(x, weights["h1"]), biases["b1"]))
    logits = tf.matmul(layer_1, weights["out"]) + biases["out"]
    loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
    global_step = tf.Variable(0, name="global_step", trainable=False)
    train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss_op,
                                                                   global_step=global_step)
    correct_pred = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_pred, tf.float32))
    return x, y, train_op, loss_op, accuracy, global_step


def test_mlp_with_adam_reaches_high_accuracy():
    tx, ty, vx, vy = _digits()
    x, y, train_op, loss_op, accuracy, _ = _mlp()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = None
        for step in range(300):
            i = (step * 100) % 1400
            _, loss = sess.run([train_op, loss_op], feed_dict={x: tx[i:i + 100],
                                                               y: ty[i:i + 100]})
            first = loss if first is None else first
        acc = sess.run(accuracy, feed_dict={x: vx, y: vy})
    assert loss < first / 5
    assert acc > 0.93


def test_save_restore_across_sessions_and_resume_training(tmp_path):
    tx, ty, vx, vy = _digits()
    x, y, train_op, loss_op, accuracy, global_step = _mlp()
    saver = tf.train.Saver()
    path = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(100):
            i = (step * 100) % 1400
            sess.run(train_op, {x: tx[i:i + 100], y: ty[i:i + 100]})
        saved_loss = sess.run(loss_op, {x: vx, y: vy})
        saved = saver.save(sess, path, global_step=global_step)
    assert saved.endswith("model.ckpt-100")
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert sess.run(global_step) == 100
        assert np.isclose(sess.run(loss_op, {x: vx, y: vy}), saved_loss)
        for step in range(100, 200):  # Adam's slots and beta powers were restored too
            i = (step * 100) % 1400
            sess.run(train_op, {x: tx[i:i + 100], y: ty[i:i + 100]})
        assert sess.run(global_step) == 200
        assert sess.run(loss_op, {x: vx, y: vy}) < saved_loss
