"""Homework 4: forward pass and backpropagation of a mini CNN (see docs/errata.md)."""
from __future__ import annotations

from dataclasses import replace

from grader.assignment import Assignment, Question
from . import questions as g
from .mistakes import GROUPS, MISTAKES
from .probes import PROBES


def _name(template: str):
    """Element namer: index (0-based) -> the homework's 1-based notation."""
    def name(idx: tuple[int, ...]) -> str:
        return template.format(*(i + 1 for i in idx))
    return name


QUESTIONS = (
    Question("1.1", "layer_sizes", ("width", "height", "filter_size", "pool_size", "stride"),
             "Sizes of the convolution and pooling layers", "(c_w, c_h, p_w, p_h), four integers",
             points=1, generate=g.gen_layer_sizes, exact=True,
             mistakes=MISTAKES["1.1"],
             element=lambda idx: ("c_w", "c_h", "p_w", "p_h")[idx[0]],
             defaults={"width": 4, "height": 4, "filter_size": 2, "pool_size": 2, "stride": 1},
             doc="Convolution: c = floor((n - filter_size) / stride) + 1 for n = width, height.\n"
                 "Pooling: the same rule on c_w, c_h with pool_size and the same stride.\n"
                 "No padding. Must work for any valid arguments; the defaults are the homework's."),
    Question("1.2", "conv_forward", ("x", "w"), "Convolution layer output y",
             "y, shape (3, 3, 3)", points=2, generate=g.gen_conv_forward, generate_many=g.gen_conv_forward_many,
             mistakes=MISTAKES["1.2"],
             element=_name("y_{{{},{},k={}}}"),
             doc="x: (4, 4) image, w: (2, 2, 3) filters.\n"
                 "y[:, :, k] is the sigmoid of the 2x2 stride-1 correlation of x with the\n"
                 "filter w[:, :, k] (correlation: the filter is not flipped), no padding."),
    Question("1.3", "sum_pool", ("y",), "Sum-pooling layer output z", "z, shape (2, 2, 3)",
             points=1, generate=g.gen_sum_pool, generate_many=g.gen_sum_pool_many, element=_name("z_{{{},{},k={}}}"),
             mistakes=MISTAKES["1.3"],
             doc="y: (3, 3, 3). 2x2 sum pooling with stride 1, channel by channel."),
    Question("1.4", "fc_forward", ("z", "v"), "Output layer o", "o, shape (2,)",
             points=2, generate=g.gen_fc_forward, generate_many=g.gen_fc_forward_many, element=_name("o_{}"),
             mistakes=MISTAKES["1.4"],
             doc="z: (2, 2, 3), v: (2, 2, 3, 2).\n"
                 "o[m] is output neuron o_{m+1}: the sigmoid of its weighted sum of all of z."),
    Question("2.1", "grad_fc_weights", ("z", "o", "target"), "dE/dw for the fully connected weights",
             "dE/dv, shape (2, 2, 3, 2)", points=2, generate=g.gen_grad_fc_weights, generate_many=g.gen_grad_fc_weights_many,
             mistakes=MISTAKES["2.1"],
             element=_name("∂E/∂w_{{{},{},{},o_{}}}"),
             doc="z: (2, 2, 3), o: (2,) outputs, target: (2,) true labels y_1, y_2.\n"
                 "E = 1/2 ((o_1 - y_1)^2 + (o_2 - y_2)^2). Return dE/dv with v's shape."),
    Question("2.2", "grad_pool_output", ("v", "o", "target"), "dE/dz, the pooling layer's error",
             "dE/dz, shape (2, 2, 3)", points=2, generate=g.gen_grad_pool_output, generate_many=g.gen_grad_pool_output_many,
             mistakes=MISTAKES["2.2"],
             element=_name("∂E/∂z_{{{},{},k={}}}"),
             doc="v: (2, 2, 3, 2), o: (2,), target: (2,). Return dE/dz with z's shape."),
    Question("2.3", "grad_conv_sum_pool", ("dE_dz",), "dE/dy through the sum-pooling layer",
             "dE/dy, shape (3, 3, 3)", points=3, generate=g.gen_grad_conv_sum_pool, generate_many=g.gen_grad_conv_sum_pool_many,
             mistakes=MISTAKES["2.3"],
             element=_name("∂E/∂y_{{{},{},k={}}}"),
             doc="dE_dz: (2, 2, 3), the pooling layer's error. Return dE/dy, the error of the\n"
                 "convolution layer's outputs y, when z is the 2x2 stride-1 SUM pooling of y."),
    Question("2.4", "grad_filters", ("x", "y", "dE_dy"), "dE/dw for the 12 filter weights",
             "dE/dw, shape (2, 2, 3)", points=3, generate=g.gen_grad_filters, generate_many=g.gen_grad_filters_many,
             mistakes=MISTAKES["2.4"],
             element=_name("∂E/∂w_{{{},{},k={}}}"),
             doc="x: (4, 4) image, y: (3, 3, 3) convolution outputs (after the sigmoid),\n"
                 "dE_dy: (3, 3, 3) their error. Return dE/dw with w's shape (2, 2, 3)."),
    Question("2.5", "grad_conv_max_pool", ("y", "dE_dz"), "dE/dy through a max-pooling layer",
             "dE/dy, shape (3, 3, 3)", points=4, generate=g.gen_grad_conv_max_pool, generate_many=g.gen_grad_conv_max_pool_many,
             mistakes=MISTAKES["2.5"],
             element=_name("∂E/∂y_{{{},{},k={}}}"),
             doc="y: (3, 3, 3) convolution outputs, dE_dz: (2, 2, 3). Return dE/dy when z is the\n"
                 "2x2 stride-1 MAX pooling of y (inputs have no ties within a window)."),
)

QUESTIONS = tuple(replace(q, groups=GROUPS.get(q.id, {}), probes=PROBES.get(q.id, ())) for q in QUESTIONS)

PREAMBLE = """Arrays are NumPy float64 arrays, 0-based and indexed in the homework's order:
    x[i-1, j-1]              is x_{i,j}
    w[fi-1, fj-1, k-1]       is w_{fi,fj,k}
    v[pi-1, pj-1, k-1, m-1]  is the fully connected weight w_{pi,pj,k,o_m}
    target                   holds the true labels y_1, y_2
There is no batch axis: each call handles one sample.  You may return NumPy
arrays (any float dtype), lists or tuples.  Each call gets fresh arrays, so
modifying an argument is harmless.

Error function: E = 1/2 ((o_1 - y_1)^2 + (o_2 - y_2)^2).
Sum pooling and max pooling are 2x2 windows with stride 1; no padding anywhere."""

ASSIGNMENT = Assignment(name="hw4", title="50.021 AI Theory, Homework 4: a mini CNN",
                        version="1", questions=QUESTIONS, preamble=PREAMBLE, filename="hw4.py", index_base=1,
                        edge_cases="nearly saturated sigmoids and an all-zero image")
