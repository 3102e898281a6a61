# hw4 1.3: a Layer class; the pool averages instead of summing (divides by 4).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.3": "average pooling (1/4)"}
EXPECT = {"1.3": ["averaged instead of summed"]}


class Pool:
    size = 2

    def __call__(self, y):
        y = np.asarray(y)
        n = y.shape[0] - self.size + 1
        return np.array([[y[i:i + 2, j:j + 2].mean(axis=(0, 1)) for j in range(n)] for i in range(n)])


sum_pool = Pool()
