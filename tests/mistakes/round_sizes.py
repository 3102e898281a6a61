# Student rounded to nearest.
EXPECT = {"1.1": ["round("]}


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    def size(n, f):
        return int((n - f) / stride + 0.5) + 1
    c_w, c_h = size(width, filter_size), size(height, filter_size)
    return c_w, c_h, size(c_w, pool_size), size(c_h, pool_size)
