"""Item-to-item models on an implicit users × items matrix: MostPop, cosine ItemKNN, EASE and the denoising EASE.

All of them score a user as `x_u @ B` for an items × items matrix B (MostPop adds the same
popularity vector to everyone). The denoising variant (DLAE, Steck 2020) adds to EASE's L2
penalty λ a dropout penalty p/(1-p)·diag(G) and keeps the diagonal of B free; rows can be
down-weighted by the user's activity (|u|^-α) before the Gram matrix is formed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack

from bot.recommend.protocol import Interactions


def gram(x: sp.spmatrix, block: int = 1024, dtype: type = np.float64) -> np.ndarray:
    """Return the dense items × items Gram matrix XᵀX, a block of columns at a time.

    By blocks, the sparse product never holds all n² entries with their indices at once.
    """
    n = x.shape[1]
    g = np.empty((n, n), dtype=dtype)
    columns, rows = sp.csc_matrix(x, dtype=dtype), sp.csr_matrix(x.T, dtype=dtype)
    for start in range(0, n, block):
        g[:, start:start + block] = (rows @ columns[:, start:start + block]).toarray()
    return g


def spd_inverse(a: np.ndarray, block: int = 512) -> np.ndarray:
    """Invert the regularised Gram matrix (symmetric positive definite) by Cholesky, in its own memory.

    Half the work of a general inverse. LAPACK fills one triangle; the other is mirrored block by block.
    """
    potrf, potri = lapack.get_lapack_funcs(("potrf", "potri"), (a,))  # float32 or float64, as a is
    factor, info = potrf(a.T, lower=True, overwrite_a=True, clean=False)  # a.T: the same matrix, F-order
    if info == 0:
        factor, info = potri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"the regularised Gram matrix is not positive definite (LAPACK info {info})")
    inverse = factor.T  # C-order again; its upper triangle holds the inverse
    for start in range(0, inverse.shape[0], block):
        end = min(start + block, inverse.shape[0])
        inverse[start:end, :start] = inverse[:start, start:end].T
        diagonal = inverse[start:end, start:end]
        lower = np.tril_indices(end - start, -1)
        diagonal[lower] = diagonal.T[lower]
    return inverse


def ease_weights(g: np.ndarray, lam: float) -> np.ndarray:
    """EASE's closed form: B = I - P·diag(1/diag P) with P = (G + λI)⁻¹, zero diagonal (G is consumed)."""
    g[np.diag_indices_from(g)] += lam
    p = spd_inverse(g)
    p /= -np.diag(p)[None, :]
    np.fill_diagonal(p, 0.0)
    return p.astype(np.float32, copy=False)


def dlae_weights(g: np.ndarray, lam: float, dropout: float) -> np.ndarray:
    """Denoising linear autoencoder: B = I - P·Λ with Λ = λ + p/(1-p)·diag(G), P = (G + Λ)⁻¹ (G is consumed)."""
    penalty = lam + dropout / (1.0 - dropout) * np.diag(g)
    g[np.diag_indices_from(g)] += penalty
    b = spd_inverse(g)
    b *= -penalty[None, :]
    b[np.diag_indices_from(b)] += 1.0
    return b.astype(np.float32, copy=False)


def knn_weights(x: sp.csr_matrix, k: int = 100, dtype: type = np.float64) -> np.ndarray:
    """Cosine item-item similarity keeping each item's k nearest neighbours, zero diagonal (float32)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(0)).ravel()).astype(dtype)
    norms[norms == 0] = 1.0
    s = gram(x, dtype=dtype)
    s /= norms[:, None]
    s /= norms[None, :]
    np.fill_diagonal(s, 0.0)
    s = s.astype(np.float32, copy=False)
    if k < s.shape[0]:
        for start in range(0, s.shape[1], 512):  # in column blocks: a full-size partition copy is not needed
            block = s[:, start:start + 512]
            threshold = -np.partition(-block, k - 1, axis=0)[k - 1]
            block[block < threshold[None, :]] = 0.0
    return s


def user_weights(x: sp.csr_matrix, alpha: float) -> sp.csr_matrix:
    """Scale each user's row by (events)^-α so heavy users do not dominate the Gram matrix."""
    if alpha == 0:
        return x
    counts = np.diff(x.indptr).astype(np.float64)
    counts[counts == 0] = 1.0
    return sp.diags(counts ** -alpha) @ x


class ItemItem:
    """A fitted item-to-item model: scores are the user's row times B."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.x: sp.csr_matrix | None = None
        self.b: np.ndarray | None = None

    def scores(self, users: np.ndarray) -> np.ndarray:
        return np.asarray(self.x[users] @ self.b)


class MostPop:
    """Everyone gets the items with most training events."""

    name = "MostPop"

    def fit(self, train: Interactions) -> None:
        self.pop = np.bincount(train.items, minlength=train.n_items).astype(np.float64)

    def scores(self, users: np.ndarray) -> np.ndarray:
        return np.tile(self.pop, (len(users), 1))


class ItemKNN(ItemItem):
    """Cosine item-kNN (k neighbours per item) on the binary matrix."""

    def __init__(self, k: int = 100) -> None:
        super().__init__("ItemKNN")
        self.k = k

    def fit(self, train: Interactions) -> None:
        self.x = _binary(train)
        self.b = knn_weights(self.x, self.k)


class Ease(ItemItem):
    """EASE (Steck 2019) with a fixed λ on the binary matrix."""

    def __init__(self, lam: float = 500.0) -> None:
        super().__init__("EASE")
        self.lam = lam

    def fit(self, train: Interactions) -> None:
        self.x = _binary(train)
        self.b = ease_weights(gram(self.x), self.lam)


@dataclass(frozen=True)
class CollabParams:
    """One candidate of the collaborative part; `kind` is ease, dlae or knn."""

    kind: str
    lam: float = 0.0
    dropout: float = 0.0
    alpha: float = 0.0
    neighbours: int = 100

    def weights(self, x: sp.csr_matrix) -> np.ndarray:
        """Fit B on the (weighted) user × item matrix, in float32 (half the memory and time of float64)."""
        if self.kind == "knn":
            return knn_weights(x, self.neighbours, np.float32)
        g = gram(user_weights(x, self.alpha), dtype=np.float32)
        if self.kind == "ease":
            return ease_weights(g, self.lam)
        return dlae_weights(g, self.lam, self.dropout)


def _binary(train: Interactions) -> sp.csr_matrix:
    x = train.matrix()
    x.data[:] = 1.0
    return x
