# Student's pooling sizes round up; the convolution sizes are right.
import math

EXPECT = {"1.1": ["p_w, p_h = ⌈"]}


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    p_w = math.ceil((c_w - pool_size) / stride) + 1
    p_h = math.ceil((c_h - pool_size) / stride) + 1
    return c_w, c_h, p_w, p_h
