# mlp 1.2: the logits array is made (N, M), the hidden size, instead of (N, K): where M > K the
# answer has extra zero columns, where M < K it raises.  The error is retried on every set of
# shapes, and the answers of the sets that did not raise are diagnosed.
import numpy as np

ASSIGNMENT = "mlp"
STUDENT = "mlp_r_logits_shape_M"
STATUS = "error"
CAUSE = {"1.2": "S allocated with the hidden size M instead of K"}
EXPECT = {"1.2": ["in another set of input shapes", "holds the right one", "an array made larger than the answer"]}


def logits(H, W2, b2):
    N, M = H.shape
    K = W2.shape[1]
    S = np.zeros((N, M))
    for n in range(N):
        for k in range(K):
            S[n, k] = b2[k] + sum(H[n, j] * W2[j, k] for j in range(M))
    return S
