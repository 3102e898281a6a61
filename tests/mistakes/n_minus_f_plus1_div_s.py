# Student used (n - f + 1) // s for every size.
EXPECT = {"1.1": ["⌊(n − f + 1)/s⌋"]}


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = (width - filter_size + 1) // stride
    c_h = (height - filter_size + 1) // stride
    return c_w, c_h, (c_w - pool_size + 1) // stride, (c_h - pool_size + 1) // stride
