"""Timestep and sigma lists from diffusers' own scheduler classes.

Usage: /usr/bin/python3 diffusers_schedules.py DIFFUSERS_SRC LABEL > diffusers-schedules.json

DIFFUSERS_SRC is a diffusers checkout's `src/diffusers` folder, LABEL says which
diffusers it is (e.g. "diffusers 58eb52c080"). The scheduler
modules are loaded unmodified; the few package helpers they import
(ConfigMixin, register_to_config, SchedulerMixin, ...) are replaced by small
stand-ins here, because the rest of diffusers (transformers, huggingface_hub)
is not installed. Needs numpy and torch (Debian: python3-torch).
"""
import functools
import importlib.util
import inspect
import json
import sys
import types
from dataclasses import dataclass
from enum import Enum

src = sys.argv[1]


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    module.__path__ = []
    sys.modules[name] = module
    return module


class ConfigMixin:
    def register_to_config(self, **kwargs):
        self.config = types.SimpleNamespace(**kwargs)


def register_to_config(init):
    @functools.wraps(init)
    def inner(self, *args, **kwargs):
        params = list(inspect.signature(init).parameters.items())[1:]
        values = {name: p.default for name, p in params}
        values.update(dict(zip([n for n, _ in params], args)))
        values.update(kwargs)
        self.register_to_config(**values)
        init(self, *args, **kwargs)

    return inner


@dataclass
class BaseOutput:
    prev_sample: object = None


class Logger:
    def __getattr__(self, _):
        return lambda *a, **k: None


stub("diffusers")
stub("diffusers.configuration_utils", ConfigMixin=ConfigMixin, register_to_config=register_to_config)
stub(
    "diffusers.utils",
    BaseOutput=BaseOutput,
    deprecate=lambda *a, **k: None,
    is_scipy_available=lambda: False,
    logging=types.SimpleNamespace(get_logger=lambda _: Logger()),
)
stub("diffusers.utils.torch_utils", randn_tensor=None, maybe_allow_in_graph=lambda c: c)
stub("diffusers.schedulers")
stub(
    "diffusers.schedulers.scheduling_utils",
    KarrasDiffusionSchedulers=Enum("KarrasDiffusionSchedulers", "A"),
    SchedulerMixin=type("SchedulerMixin", (), {}),
    SchedulerOutput=BaseOutput,
)


def load(module):
    spec = importlib.util.spec_from_file_location(f"diffusers.schedulers.{module}", f"{src}/schedulers/{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


PNDM = load("scheduling_pndm").PNDMScheduler
DPM = load("scheduling_dpmsolver_multistep").DPMSolverMultistepScheduler
EULER = load("scheduling_euler_discrete").EulerDiscreteScheduler

# Stable Diffusion 1.5's scheduler_config.json
SD15 = dict(
    beta_start=0.00085,
    beta_end=0.012,
    beta_schedule="scaled_linear",
    num_train_timesteps=1000,
    prediction_type="epsilon",
    set_alpha_to_one=False,
    skip_prk_steps=True,
    clip_sample=False,
    steps_offset=1,
    timestep_spacing="leading",
)


def config(cls, overrides):
    merged = {**SD15, **overrides}
    accepted = inspect.signature(cls.__init__).parameters
    return {k: v for k, v in merged.items() if k in accepted}


def run(cls, steps, overrides):
    scheduler = cls(**config(cls, overrides))
    scheduler.set_timesteps(steps)
    out = {"scheduler": cls.__name__, "steps": steps, "config": overrides, "timesteps": [float(t) for t in scheduler.timesteps]}
    if hasattr(scheduler, "sigmas") and cls is not PNDM:
        out["sigmas"] = [float(s) for s in scheduler.sigmas]
    return out


cases = []
for steps in (4, 5, 10, 20):
    cases.append(run(PNDM, steps, {"skip_prk_steps": False}))
for steps in (4, 20):
    cases.append(run(PNDM, steps, {}))
for steps in (4, 20, 60, 61, 103, 121, 122):
    cases.append(run(DPM, steps, {"timestep_spacing": "trailing"}))
for steps in (20, 30):
    cases.append(run(DPM, steps, {"timestep_spacing": "linspace"}))
    cases.append(run(DPM, steps, {"timestep_spacing": "linspace", "use_karras_sigmas": True}))
for steps in (4, 61):
    cases.append(run(EULER, steps, {"timestep_spacing": "trailing"}))

json.dump({"source": sys.argv[2], "cases": cases}, sys.stdout, indent=1)
print()
