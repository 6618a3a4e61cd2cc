"""Reads a WebDataset export with Python's own tarfile, as a training job would.

Prints JSON: every sample (key, shard, caption, parsed json, sha256 of the PNG),
the members of each shard in order with their header fields, and the keys
that lack one of .png, .txt and .json. Usage: read_webdataset.py DIR
"""
import hashlib
import json
import os
import sys
import tarfile

EXTENSIONS = ("png", "txt", "json")


def main(directory):
    samples, shards, incomplete = [], [], []
    for name in sorted(n for n in os.listdir(directory) if n.endswith(".tar")):
        with tarfile.open(os.path.join(directory, name), mode="r:") as archive:
            members = archive.getmembers()
            shards.append({
                "name": name,
                "members": [m.name for m in members],
                "headers": sorted({(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) for m in members}),
            })
            files = {}
            for member in members:
                # WebDataset's rule: the key is the name up to its first dot.
                key, _, extension = member.name.partition(".")
                files.setdefault(key, {})[extension] = archive.extractfile(member).read()
            for key, parts in files.items():
                if sorted(parts) != sorted(EXTENSIONS):
                    incomplete.append(key)
                    continue
                samples.append({
                    "key": key,
                    "shard": name,
                    "caption": parts["txt"].decode("utf-8"),
                    "json": json.loads(parts["json"]),
                    "png_sha256": hashlib.sha256(parts["png"]).hexdigest(),
                })
    json.dump({"samples": samples, "shards": shards, "incomplete": incomplete}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
