#!/usr/bin/python3
"""Checks the committed PyTorch reference against face-api itself.

  faceapi_crosscheck.py [--data DIR] [--reference FILE]

Runs face-api 1.7.15's own bundle (dist/face-api.esm.js, TF.js with its CPU
backend) under Debian's node on the six demo photos: the tiny face detector
with its default options, then the descriptor of each detected box. The
photos are decoded here with PIL (libjpeg-turbo), as the reference does.
Prints, per face, whether the box matches and the relative error of the
descriptor against face_reference.json; exits 1 if any box differs or an
error exceeds 1e-4, 77 if node or the data is absent. Takes minutes (TF.js's
CPU backend is plain JavaScript), so it is a script, not a ctest.

The bundle targets browsers: tfjs's Node platform asks a stubbed-out `util`
module for TextEncoder. A patched copy in a temporary folder reads Node's
util from a global instead (two textual substitutions, checked).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import face_reference as fr  # noqa: E402

PATCHES = [("this.util=AR()", "this.util=globalThis.__nodeUtil"),
           ("LO={importFetch:()=>_R()}", "LO={importFetch:()=>globalThis.fetch}")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data")
    ap.add_argument("--reference", default=os.path.join(HERE, "face_reference.json"))
    args = ap.parse_args()
    folder = fr.data_dir(args.data)
    fr.require_data(folder)
    bundle = os.path.join(folder, "dist", "face-api.esm.js")
    node = shutil.which("node")
    if not node or not os.path.isfile(bundle):
        print(f"faceapi_crosscheck: skip: needs node and {bundle}", file=sys.stderr)
        return 77
    import face_model as fm
    ref = json.load(open(args.reference))
    with tempfile.TemporaryDirectory() as tmp:
        text = open(bundle).read()
        for old, new in PATCHES:
            if text.count(old) != 1:
                sys.exit(f"faceapi_crosscheck: {bundle}: expected '{old}' once")
            text = text.replace(old, new)
        patched = os.path.join(tmp, "face-api.mjs")
        open(patched, "w").write(text)
        jobs = []
        for name in fr.SAMPLES:
            img = fm.read_rgb(os.path.join(folder, "demo", name))
            raw = os.path.join(tmp, name + ".rgb")
            img.tofile(raw)
            jobs.append({"image": name, "raw": raw, "width": int(img.shape[1]), "height": int(img.shape[0])})
        json.dump(jobs, open(os.path.join(tmp, "jobs.json"), "w"))
        out = os.path.join(tmp, "out.json")
        subprocess.run([node, os.path.join(HERE, "faceapi_run.mjs"), patched,
                        os.path.join(folder, "model"), os.path.join(tmp, "jobs.json"), out], check=True)
        got = json.load(open(out))
    print(f"face-api {got['version']} ({got['backend']} backend): {len(got['faces'])} faces, "
          f"reference: {len(ref['faces'])}")
    ok = len(got["faces"]) == len(ref["faces"])
    worst = 0.0
    for g, r in zip(got["faces"], ref["faces"]):
        a, b = np.asarray(g["embedding"]), np.asarray(r["embedding"])
        err = float(np.linalg.norm(a - b) / np.linalg.norm(b))
        same = g["image"] == r["image"] and g["box"] == r["box"]
        worst = max(worst, err)
        ok = ok and same and err <= 1e-4
        print(f"{g['image']} box {g['box']} {'==' if same else '!='} {r['box']}  "
              f"score {g['score']:.6f} vs {r['score']:.6f}  descriptor rel err {err:.2e}")
    print(f"max relative error {worst:.2e}: {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
