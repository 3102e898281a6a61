# hw4 2.4: "the kernel's gradient is the input convolved with the flipped error": the error
# term (dE/dy times y(1 - y)) is rotated by 180 degrees, though the forward pass is a
# correlation -- two arguments of one shape misread the same way together.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "the error flipped along both axes (convolution for correlation)"}
EXPECT = {"2.4": ["rotated by 180°", "and de_dy the same way"]}


def grad_filters(x, y, dE_dy):
    g = (dE_dy * y * (1 - y))[::-1, ::-1]
    dw = np.zeros((2, 2, 3))
    for a in range(2):
        for b in range(2):
            dw[a, b] = (x[a:a + 3, b:b + 3, None] * g).sum(axis=(0, 1))
    return dw
