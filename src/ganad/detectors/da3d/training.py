"""DA3D's adversarial update step (METHODS §2.7): alarm -> generator -> critic per mini-batch.

Stage 1 (the AAE) uses the shared AAE block's step (`ganad.nn.aae`); this is stage 2/3's step,
over the frozen AAE's codes h and decoder activations a_dec(h) of the normal rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn

from ...nn import clip_grad_norm, frozen
from . import losses

__all__ = ["DA3DStep"]


class DA3DStep:
    """One DA3D mini-batch update on a batch (h, a_dec(h)) of normal codes and activations:

    0. the alarm's anomalous inputs through the frozen AAE, without gradients;
    1. the alarm update (normal vs every anomaly kind);
    2. the generator update through the frozen decoder, the just-updated alarm and the critic;
    3. the critic update (wide Gaussian, normal codes, the updated generator's codes).

    With `train_generator=False` (pre-training, or the "Simple" ablation) only 0 and 1 run.
    `activations` maps codes to the frozen decoder's hidden activations; `trivial_anomalies(n)`
    draws n trivial anomalies in scaled input space.

    Parameters
    ----------
    nets : torch.nn.ModuleDict
        The detector's networks; "encoder", "alarm", "generator" and "critic" are used.
    optimisers : mapping of str to torch.optim.Optimizer
        "alarm", "generator" and "critic".
    activations : callable
        Codes (n, code_dim) -> the frozen decoder's hidden activations.
    trivial_anomalies : callable
        n -> n trivial anomalies in scaled input space.
    known_acts : torch.Tensor or None
        Decoder activations of the known anomalies (y == 1), sampled with replacement per
        batch; None without known anomalies.
    train_generator : bool
        Run phases 2 and 3, and feed generated codes to the alarm.
    simple : bool
        Feed N(0, sigma²) codes to the alarm (the "Simple" ablation).
    gen_input_dim : int
        Width of the generator's N(0, I) input.
    sigma : float
        Standard deviation of the wide Gaussian in code space.
    known_anomaly_weight : float
        Weight of the known anomalies' term in the alarm loss.
    lipschitz : {"grad_norm", "weight_clip"}
        How generator and critic are kept Lipschitz (see `DA3D`).
    clip_norm : float or None
        The gradient-norm or weight bound; None: none.
    critic_weights : tuple of (float, float, float)
        Weights (noise, normal, generated) of the critic loss.
    """

    def __init__(
        self,
        nets: nn.ModuleDict,
        optimisers: Mapping[str, torch.optim.Optimizer],
        *,
        activations: Callable[[torch.Tensor], torch.Tensor],
        trivial_anomalies: Callable[[int], torch.Tensor],
        known_acts: torch.Tensor | None,
        train_generator: bool,
        simple: bool,
        gen_input_dim: int,
        sigma: float,
        known_anomaly_weight: float,
        lipschitz: str,
        clip_norm: float | None,
        critic_weights: tuple[float, float, float],
    ):
        self.encoder, self.alarm = nets["encoder"], nets["alarm"]
        self.gen, self.critic = nets["generator"], nets["critic"]
        self.opt = optimisers
        self.activations = activations
        self.trivial_anomalies = trivial_anomalies
        self.known_acts = known_acts
        self.train_generator = train_generator
        self.simple = simple
        self.gen_input_dim = gen_input_dim
        self.sigma = sigma
        self.weights = {
            "trivial": 1.0,
            "generated": 1.0,
            "simple": 1.0,
            "known": known_anomaly_weight,
        }
        self.lipschitz = lipschitz
        self.clip_norm = clip_norm
        self.critic_weights = critic_weights

    def __call__(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        h, a_normal = batch
        anomalous = self.anomalous_activations(h)
        out = {"alarm": self.alarm_phase(a_normal, anomalous)}
        if self.train_generator:
            out["generator"] = self.generator_phase(len(h))
            out["critic"] = self.critic_phase(h)
        return out

    def _noise(self, n: int, device: torch.device) -> torch.Tensor:
        return torch.randn(n, self.gen_input_dim, device=device)

    def anomalous_activations(self, h: torch.Tensor) -> dict[str, torch.Tensor]:
        """Phase 0: decoder activations of every anomaly kind, one batch each, no gradients.

        Parameters
        ----------
        h : torch.Tensor of shape (n, code_dim)
            The batch's normal codes (their count, device and shape are used).

        Returns
        -------
        dict of str to torch.Tensor
            Activations by kind: "trivial", and "generated", "simple", "known" where they
            apply.
        """
        # 0. The alarm's anomalous inputs, through the frozen AAE without gradients. All codes go
        #    through the decoder in one pass (same results as one pass per kind, faster).
        n = len(h)
        self.gen.eval()
        with torch.no_grad():
            codes = {"trivial": self.encoder(self.trivial_anomalies(n)).flatten(1)}
            if self.train_generator:
                codes["generated"] = self.gen(self._noise(n, h.device))
            if self.simple:
                codes["simple"] = torch.randn_like(h) * self.sigma
            acts = self.activations(torch.cat(list(codes.values()))).split(n)
            anomalous = dict(zip(codes, acts, strict=True))
            if self.known_acts is not None:
                picked = torch.randint(len(self.known_acts), (n,), device=h.device)
                anomalous["known"] = self.known_acts[picked]
        return anomalous

    def alarm_phase(
        self, a_normal: torch.Tensor, anomalous: dict[str, torch.Tensor]
    ) -> torch.Tensor:
        """Phase 1: one alarm update, normal activations against every anomaly kind.

        Parameters
        ----------
        a_normal : torch.Tensor of shape (n, activation_dim)
            Decoder activations of the batch's normal rows.
        anomalous : dict of str to torch.Tensor
            Activations of each anomaly kind (from `anomalous_activations`).

        Returns
        -------
        torch.Tensor
            The 0-d alarm loss, detached.
        """
        # 1. Alarm update: one fused forward pass over all input kinds, BCE per kind.
        self.alarm.train()
        logits = self.alarm(torch.cat([a_normal, *anomalous.values()])).split(len(a_normal))
        loss = losses.alarm_loss(
            logits[0], dict(zip(anomalous, logits[1:], strict=True)), self.weights
        )
        self.opt["alarm"].zero_grad(set_to_none=True)
        loss.backward()
        self.opt["alarm"].step()
        return loss.detach()

    def generator_phase(self, n: int) -> torch.Tensor:
        """Phase 2: one generator update against the frozen alarm and critic.

        Parameters
        ----------
        n : int
            Codes generated for each of the two loss terms.

        Returns
        -------
        torch.Tensor
            The 0-d generator loss, detached.
        """
        # 2. Generator update through the frozen decoder, the just-updated alarm and the critic.
        #    Fresh noise for each term: one generator pass over 2n draws, split in halves.
        self.gen.train()
        self.alarm.eval()
        self.critic.eval()
        device = next(self.gen.parameters()).device
        with frozen(self.alarm, self.critic):
            for_alarm, for_critic = self.gen(self._noise(2 * n, device)).split(n)
            alarm_prob = torch.sigmoid(self.alarm(self.activations(for_alarm)))
            loss = losses.generator_loss(alarm_prob, self.critic(for_critic))
        self.opt["generator"].zero_grad(set_to_none=True)
        loss.backward()
        if self.lipschitz == "grad_norm":
            clip_grad_norm(self.gen, self.clip_norm)
        self.opt["generator"].step()
        return loss.detach()

    def critic_phase(self, h: torch.Tensor) -> torch.Tensor:
        """Phase 3: one critic update on wide-Gaussian, normal and generated codes.

        Parameters
        ----------
        h : torch.Tensor of shape (n, code_dim)
            The batch's normal codes.

        Returns
        -------
        torch.Tensor
            The 0-d critic loss, detached.
        """
        # 3. Critic update: codes of the updated generator (detached), normal codes, wide Gaussian.
        n = len(h)
        self.gen.eval()
        self.critic.train()
        with torch.no_grad():
            generated = self.gen(self._noise(n, h.device)).detach()
        wide = torch.randn_like(h) * self.sigma
        c_wide, c_normal, c_generated = self.critic(torch.cat([wide, h, generated])).split(n)
        loss = losses.critic_loss(c_wide, c_normal, c_generated, self.critic_weights)
        self.opt["critic"].zero_grad(set_to_none=True)
        loss.backward()
        if self.lipschitz == "grad_norm":
            clip_grad_norm(self.critic, self.clip_norm)
        self.opt["critic"].step()
        if self.lipschitz == "weight_clip" and self.clip_norm is not None:
            with torch.no_grad():
                for p in self.critic.parameters():
                    p.clamp_(-self.clip_norm, self.clip_norm)
        self.critic.eval()
        return loss.detach()
