"""A client of the Farm API written from proto/ alone, as any Python user would.

Generates nothing itself: the stubs come from `python3 -m grpc_tools.protoc`
run by the test. Prints one JSON line per call: what it sent and what came back.
"""
import json
import os
import sys

import grpc

sys.path.insert(0, os.environ["ATELIER_PY_STUBS"])
from atelier.v1 import farm_pb2, farm_pb2_grpc, common_pb2  # noqa: E402

address = os.environ["ATELIER_COORDINATOR"]
token = os.environ.get("ATELIER_TOKEN", "")


def submit(metadata):
    def requests():
        yield farm_pb2.SubmitBatchRequest(header=farm_pb2.BatchHeader(
            name="from python",
            defaults=common_pb2.RenderSettings(model="python-model", width=64, height=64, steps=4, guidance=1, sampler="euler"),
        ))
        yield farm_pb2.SubmitBatchRequest(items=farm_pb2.ItemChunk(items=[
            farm_pb2.ItemSpec(prompt="a red circle", seed=7, has_seed=True),
            farm_pb2.ItemSpec(prompt="a blue square", seed=8, has_seed=True),
        ]))

    with grpc.insecure_channel(address) as channel:
        stub = farm_pb2_grpc.FarmStub(channel)
        try:
            response = stub.SubmitBatch(requests(), metadata=metadata, timeout=30)
            batch = stub.GetBatch(farm_pb2.GetBatchRequest(batch_id=response.batch_id), metadata=metadata, timeout=30)
            return {"ok": True, "batch_id": response.batch_id, "items": response.item_count, "tenant": batch.tenant}
        except grpc.RpcError as error:
            return {"ok": False, "code": error.code().name, "details": error.details()}


print(json.dumps({"call": "with token", **submit([("authorization", f"Bearer {token}")])}))
print(json.dumps({"call": "without token", **submit([])}))
