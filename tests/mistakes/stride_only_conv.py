# Student applies the stride to the convolution but sizes the pool from the image, stride 1.
EXPECT = {"1.1": ["image"]}


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, width - pool_size + 1, height - pool_size + 1
