#!/usr/bin/env python3
"""PyTorch peer for `sr bench --train`: the same c-DCSCN (and L12 F196->48) training step — forward,
MSE + 1e-4 * sum(w^2)/2 on conv kernels, backward, global-norm clip 5, Adam (0.9, 0.999, 1e-8) — timed
side by side with srcore in one run, at the same batch/patch sizes and thread count.

Needs PyTorch (`pip install torch`, PyPI; installed here when missing) and a release `sr`:
    swift build -c release && python3 bench/torch_train_peer.py .build/release/sr [--threads 2] [--l12]
Prints patches/s for both and the srcore/PyTorch ratio per case (medians of several runs).
"""
import argparse, json, math, statistics, subprocess, sys, time

try:
    import torch
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "torch"])
    import torch
import torch.nn as nn
import torch.nn.functional as F


def widths(layers, filters, min_filters, gamma):
    out = [filters]
    for i in range(1, layers):
        x = i / (layers - 1)
        out.append(int((filters - min_filters) * (1 - x ** (1 / gamma)) + min_filters))
    return out


class DCSCN(nn.Module):
    """docs/reference.md §4: CNN1..L (3x3, PReLU), H_concat, A1/B1 (1x1), B2 (3x3), Concat2 = [B2, A1], Up-PS + TF DCR
    depth_to_space, R-CNN1 (no bias), + bicubic."""

    def __init__(self, scale, fw, nin_a, nin_b, shuffler_filters):
        super().__init__()
        self.scale = scale
        self.feats = nn.ModuleList()
        self.acts = nn.ModuleList()
        cin = 1
        for w in fw:
            self.feats.append(nn.Conv2d(cin, w, 3, padding=1)); self.acts.append(nn.PReLU(w, init=0.1)); cin = w
        cc = sum(fw)
        self.a1, self.a1p = nn.Conv2d(cc, nin_a, 1), nn.PReLU(nin_a, init=0.1)
        self.b1, self.b1p = nn.Conv2d(cc, nin_b, 1), nn.PReLU(nin_b, init=0.1)
        self.b2, self.b2p = nn.Conv2d(nin_b, nin_b, 3, padding=1), nn.PReLU(nin_b, init=0.1)
        r = nin_a + nin_b
        self.out_c = shuffler_filters or r
        self.blocks = [2, 2] if scale == 4 else [scale]
        self.ups = nn.ModuleList()
        c = r
        for i, b in enumerate(self.blocks):
            after = self.out_c if i == len(self.blocks) - 1 else c
            self.ups.append(nn.Conv2d(c, b * b * after, 3, padding=1)); c = after
        self.rec = nn.Conv2d(c, 1, 3, padding=1, bias=False)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):  # He truncated normal (2 sigma), zero bias
                fan_in = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
                nn.init.trunc_normal_(m.weight, std=math.sqrt(2 / fan_in), a=-2 * math.sqrt(2 / fan_in), b=2 * math.sqrt(2 / fan_in))
                if m.bias is not None: nn.init.zeros_(m.bias)

    @staticmethod
    def d2s_dcr(x, b):  # TF depth_to_space: channel (i*b + j)*C + c -> pixel (i, j)
        n, cbb, h, w = x.shape
        c = cbb // (b * b)
        return x.view(n, b, b, c, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c, h * b, w * b)

    def forward(self, lr, bic):
        hs, x = [], lr
        for conv, act in zip(self.feats, self.acts):
            x = act(conv(x)); hs.append(x)
        h = torch.cat(hs, 1)
        a1 = self.a1p(self.a1(h))
        b2 = self.b2p(self.b2(self.b1p(self.b1(h))))
        x = torch.cat([b2, a1], 1)
        for conv, b in zip(self.ups, self.blocks):
            x = self.d2s_dcr(conv(x), b)
        return self.rec(x) + bic


class TorchStep:
    def __init__(self, model_args, batch, side, threads, steps):
        torch.set_num_threads(threads)
        torch.manual_seed(1)
        self.net = net = DCSCN(*model_args)
        s = model_args[0]
        self.lr = torch.rand(batch, 1, side, side) * 255
        self.bic = F.interpolate(self.lr, scale_factor=s, mode="bicubic", align_corners=False)
        self.hr = self.bic + torch.rand_like(self.bic) * 8 - 4
        self.kernels = [m.weight for m in net.modules() if isinstance(m, nn.Conv2d)]
        self.opt = torch.optim.Adam(net.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
        self.batch, self.steps = batch, steps
        self.run()  # warm-up

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.net(self.lr, self.bic), self.hr) + 1e-4 * sum((k * k).sum() for k in self.kernels) / 2
        loss.backward()
        nn.utils.clip_grad_norm_(self.net.parameters(), 5.0)
        self.opt.step()

    def run(self):
        """One timed run: patches/s."""
        t0 = time.perf_counter()
        for _ in range(self.steps): self.step()
        return self.steps * self.batch / (time.perf_counter() - t0)


def sr_rate(sr, builtin, side, threads):
    rows = json.loads(subprocess.check_output([sr, "bench", "--train", "--json", "--threads", str(threads),
                                               "--runs", "1", "--builtin", builtin, "--size", str(side)]))
    return rows[0]["patches_per_s"], rows[0]["patches_per_cpu_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sr", nargs="?", default=".build/release/sr")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--l12", action="store_true", help="also the L12 F196->48 model (slow)")
    a = ap.parse_args()
    # batch 20 of 24x24; the shipped recipe's shape (batch 20 of 32x32); batch 32 of 32x32
    cases = [("c-DCSCN", (2, widths(7, 32, 8, 1.2), 24, 8, 1), 20, 24, 20), ("c-DCSCN", (2, widths(7, 32, 8, 1.2), 24, 8, 1), 20, 32, 14),
             ("c-DCSCN", (2, widths(7, 32, 8, 1.2), 24, 8, 1), 32, 32, 10)]
    if a.l12:
        cases.append(("L12-F196to48", (2, widths(12, 196, 48, 1.5), 64, 32, 0), 20, 24, 1))
    print(f"torch {torch.__version__}, {a.threads} threads; srcore and PyTorch runs interleaved, medians of {a.runs}")
    for name, args, batch, side, steps in cases:
        peer = TorchStep(args, batch, side, a.threads, steps)
        mine, cpu, theirs = [], [], []
        for _ in range(a.runs):  # alternate so both see the same machine load
            r, c = sr_rate(a.sr, "L12" if name.startswith("L12") else "c-DCSCN", side, a.threads)
            mine.append(r); cpu.append(c)
            theirs.append(peer.run())
        m, t = statistics.median(mine), statistics.median(theirs)
        print(f"{name} x2 batch {batch} of {side}x{side}: srcore {m:.1f} patches/s ({statistics.median(cpu):.1f} per CPU-s), "
              f"PyTorch {t:.1f} patches/s, ratio {m / t:.2f}x")


if __name__ == "__main__":
    main()
