# Student's pooling window forgets its bottom-right neuron.
EXPECT = {"1.3": ["no y_{2,2,k} term"]}


def sum_pool(y):
    z = [[[0.0] * 3 for _ in range(2)] for _ in range(2)]
    for k in range(3):
        for i in range(2):
            for j in range(2):
                z[i][j][k] = y[i][j][k] + y[i][j + 1][k] + y[i + 1][j][k]
    return z
