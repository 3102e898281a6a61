"""Hostile: opens a socket of every address family the kernel might offer -- AF_VSOCK (on a VM,
a way to the hypervisor no network namespace covers), netlink, packet, IP, Bluetooth, AF_ALG
... -- and a socketpair of each, and binds/listens where it got one.  It prints one line per
family; the tests require every family but AF_UNIX refused."""
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
import errno
import socket

FAMILIES = {"AF_UNIX": 1, "AF_INET": 2, "AF_AX25": 3, "AF_IPX": 4, "AF_APPLETALK": 5, "AF_X25": 9,
            "AF_INET6": 10, "AF_KEY": 15, "AF_NETLINK": 16, "AF_PACKET": 17, "AF_RDS": 21, "AF_PPPOX": 24,
            "AF_LLC": 26, "AF_CAN": 29, "AF_TIPC": 30, "AF_BLUETOOTH": 31, "AF_ALG": 38, "AF_NFC": 39,
            "AF_VSOCK": 40, "AF_KCM": 41, "AF_QIPCRTR": 42, "AF_SMC": 43, "AF_XDP": 44, "AF_MCTP": 45}
TYPES = (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW, socket.SOCK_SEQPACKET)
_done = []


def _probe(name, family):
    opened, errors = [], set()
    for kind in TYPES:
        try:
            s = socket.socket(family, kind)
        except OSError as exc:
            errors.add(errno.errorcode.get(exc.errno, str(exc.errno)))
        else:
            opened.append(f"socket/{kind}")
            try:
                if family == FAMILIES["AF_VSOCK"]:
                    s.bind((0xFFFFFFFF, 47614))  # VMADDR_CID_ANY
                    s.listen(1)
                    opened.append("bind+listen")
            except OSError:
                pass
            s.close()
        try:
            a, b = socket.socketpair(family, kind)
        except OSError as exc:
            errors.add(errno.errorcode.get(exc.errno, str(exc.errno)))
        else:
            opened.append(f"socketpair/{kind}")
            a.close()
            b.close()
    print(f"FAMILY {name} {'OPENED ' + ','.join(opened) if opened else 'refused'} {','.join(sorted(errors))}")


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    if not _done:
        _done.append(1)
        for name, family in FAMILIES.items():
            _probe(name, family)
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, (c_w - pool_size) // stride + 1, (c_h - pool_size) // stride + 1
