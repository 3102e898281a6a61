# hw4 1.2 written term by term with shifted slices: the term of w_{2,1} takes the right
# neighbour x[:-1, 1:] instead of the pixel below x[1:, :-1].
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "one term's pixel is another tap's"}
EXPECT = {"1.2": ["one term of the window's sum reads the wrong pixel", "w_{2,1,k} meets"]}


def conv_forward(x, w):
    a = (x[:-1, :-1, None] * w[0, 0] + x[:-1, 1:, None] * w[0, 1]
         + x[:-1, 1:, None] * w[1, 0] + x[1:, 1:, None] * w[1, 1])
    return 1 / (1 + np.exp(-a))
