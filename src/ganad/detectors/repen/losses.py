"""REPEN's triplet ranking loss (Pang et al. 2018, Eq. 3). Pure function.

Triplets are (anchor inlier, positive inlier, negative outlier candidate); the loss asks the
negative to be at least `margin` further (in squared Euclidean distance) from the anchor than
the positive is. The REPEN code uses margin 1000, so on [0, 1]-scaled data the hinge stays
active and the loss keeps spreading outlier candidates away from inliers.
"""

from __future__ import annotations

import torch

__all__ = ["triplet_loss"]


def triplet_loss(
    anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, margin: float = 1000.0
) -> torch.Tensor:
    """mean max(0, margin - (‖a - n‖² - ‖a - p‖²)); >= 0; 0 once every negative is far enough.

    Parameters
    ----------
    anchor : torch.Tensor of shape (n, k)
        Representations of the anchor inliers.
    positive : torch.Tensor of shape (n, k)
        Representations of the positive inliers.
    negative : torch.Tensor of shape (n, k)
        Representations of the outlier candidates.
    margin : float, default=1000.0
        The margin in squared distance.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    positive_distance = (anchor - positive).pow(2).sum(dim=1)
    negative_distance = (anchor - negative).pow(2).sum(dim=1)
    return torch.clamp(margin - (negative_distance - positive_distance), min=0.0).mean()
