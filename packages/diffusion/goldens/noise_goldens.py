"""Noise goldens from the references: torch's CPU generator and A1111's Philox.

Usage: /usr/bin/python3 noise_goldens.py A1111_MODULES_DIR > noise.json

A1111_MODULES_DIR holds AUTOMATIC1111 stable-diffusion-webui's
modules/rng_philox.py (numpy only; its docstring's example output,
Generator(0).randn((3, 4)) = -0.92466259 -0.42534415 ..., checks the copy).
torch is Debian's python3-torch. Arrays are summarised by the SHA-256 of
their little-endian float32 bytes plus a few values, so a bit-for-bit match
is checked without committing megabytes.
"""
import hashlib
import json
import sys

import numpy as np
import torch

sys.path.insert(0, sys.argv[1])
import rng_philox  # noqa: E402


def summary(array):
    flat = np.ascontiguousarray(np.asarray(array, dtype="<f4").reshape(-1))
    return {
        "count": int(flat.size),
        "sha256": hashlib.sha256(flat.tobytes()).hexdigest(),
        "head": [float(v) for v in flat[:16]],
        "tail": [float(v) for v in flat[-16:]],
    }


def torch_draws(seed, sizes, kind="randn"):
    torch.manual_seed(seed)
    draw = torch.randn if kind == "randn" else torch.rand
    return [summary(draw(size).numpy()) for size in sizes]


def philox_draws(seed, sizes):
    generator = rng_philox.Generator(seed)
    return [summary(generator.randn((size,))) for size in sizes]


SD15 = 4 * 64 * 64
SDXL = 4 * 128 * 128
out = {
    "source": f"torch {torch.__version__} (CPU generator), A1111 modules/rng_philox.py with numpy {np.__version__}",
    "torch_rand": [{"seed": 42, "sizes": [1000], "draws": torch_draws(42, [1000], "rand")}],
    "torch_randn": [
        {"seed": seed, "sizes": sizes, "draws": torch_draws(seed, sizes)}
        for seed, sizes in [
            (0, [SD15]),
            (42, [SD15, SD15]),  # the initial noise, then an ancestral step's draw from the same generator
            (1234567890, [SD15]),
            (4294967295, [SD15]),
            (0, [SDXL]),
            (42, [SDXL]),
            (1234567890, [SDXL]),
            (7, [16, 20, 33]),  # sizes that are not a multiple of 16 redraw their last 16 values
            (7, [3, 5, 1]),  # below 16: element-wise Box-Muller in double with a cached second value
        ]
    ],
    "philox_randn": [
        {"seed": seed, "sizes": sizes, "draws": philox_draws(seed, sizes)}
        for seed, sizes in [(0, [12]), (42, [SD15, SD15]), (4294967295, [SD15]), (42, [SDXL])]
    ],
}
json.dump(out, sys.stdout, indent=1)
print()
