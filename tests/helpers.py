"""Helpers shared by test modules."""
import graphc


def run(fetches, feed_dict=None):
    """Run `fetches` in a fresh Session on the default graph."""
    with graphc.Session() as sess:
        return sess.run(fetches, feed_dict)
