"""Peer for `cargo xtask bench scan`: zxing-cpp on the same grayscale buffers, one JSON line per frame."""
import json
import sys
import time

import numpy as np
import zxingcpp


def main() -> None:
    folder = sys.argv[1]
    with open(f"{folder}/manifest.tsv", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    out = open(f"{folder}/peer.jsonl", "w", encoding="utf-8")
    for idx, w, h in rows:
        with open(f"{folder}/{idx}.gray", "rb") as g:
            arr = np.frombuffer(g.read(), dtype=np.uint8).reshape(int(h), int(w))
        ms = float("inf")
        for _ in range(3):  # best of three, like ours (the machine is shared)
            t = time.perf_counter()
            found = zxingcpp.read_barcodes(arr, formats=zxingcpp.BarcodeFormat.QRCode)
            ms = min(ms, (time.perf_counter() - t) * 1e3)
        out.write(json.dumps({"i": int(idx), "ms": ms, "texts": [b.text for b in found]}) + "\n")
    out.close()


if __name__ == "__main__":
    main()
