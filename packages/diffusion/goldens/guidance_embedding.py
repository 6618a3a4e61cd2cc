"""Guidance-scale embeddings from diffusers' own get_guidance_scale_embedding.

Usage: /usr/bin/python3 guidance_embedding.py PIPELINE_FILE LABEL > guidance-embedding.json

PIPELINE_FILE is diffusers' pipelines/latent_consistency_models/
pipeline_latent_consistency_text2img.py; LABEL says which diffusers it is.
The method's source is cut out of that file with `ast` and run unmodified on
torch (Debian: python3-torch), with w = guidance - 1 as
LatentConsistencyModelPipeline passes it (torch.tensor(guidance_scale - 1)).
"""
import ast
import json
import sys

import torch

path, label = sys.argv[1], sys.argv[2]
source = open(path, encoding="utf8").read()
tree = ast.parse(source)
method = next(
    node
    for node in ast.walk(tree)
    if isinstance(node, ast.FunctionDef) and node.name == "get_guidance_scale_embedding"
)
namespace = {"torch": torch}
exec(compile(ast.Module(body=[method], type_ignores=[]), path, "exec"), namespace)
embed = namespace["get_guidance_scale_embedding"]

cases = []
for dim in (256, 7):
    for guidance in (1.0, 1.5, 2.0, 4.5, 8.0, 15.0):
        w = torch.tensor(guidance - 1).repeat(1)
        emb = embed(None, w, embedding_dim=dim)
        cases.append({"guidance": guidance, "embeddingDim": dim, "embedding": [float(v) for v in emb[0].tolist()]})

json.dump({"source": f"{label}: LatentConsistencyModelPipeline.get_guidance_scale_embedding on torch {torch.__version__}", "cases": cases}, sys.stdout)
sys.stdout.write("\n")
