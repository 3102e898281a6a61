# Student returns the sizes layer by layer per axis: (c_w, p_w, c_h, p_h).
EXPECT = {"1.1": ["wrong places", "where c_h should be, you return p_w"]}


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    p_w = (c_w - pool_size) // stride + 1
    p_h = (c_h - pool_size) // stride + 1
    return c_w, p_w, c_h, p_h
