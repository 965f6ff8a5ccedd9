#!/usr/bin/python3
"""PyTorch reference for the face workload (workloads/face/README.md).

  face_reference.py write [--data DIR] [--out FILE]
      Detects the faces of demo/sample1..6.jpg with the tiny face detector,
      embeds each face with the recognition network and writes the boxes and
      embeddings (the committed reference the ahal devices are checked against).
  face_reference.py bench --batch N [--repeats R] [--threads T] [--data DIR]
      The PyTorch peer: times the recognition network on a batch of N face
      crops, prints one JSON line (best-of-R throughput, latency percentiles).
  face_reference.py same
      Distances of each face to itself (mirrored, box shifted) and between
      different faces, against face-api's 0.6 threshold.

Needs Debian's python3-torch, python3-numpy and python3-pil (/usr/bin/python3).
Exits 77 when the data (scripts/fetch-data.sh) is absent.
"""
import argparse
import hashlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SAMPLES = [f"sample{i}.jpg" for i in range(1, 7)]
PACKAGE = "face-api-1.7.15"


def data_dir(arg):
    if arg:
        return arg
    root = os.environ.get("AHAL_DATA_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "ahal")
    return os.path.join(root, PACKAGE)


def require_data(folder):
    needed = ["model/face_recognition_model-weights_manifest.json",
              "model/tiny_face_detector_model-weights_manifest.json"] + [f"demo/{s}" for s in SAMPLES]
    missing = [n for n in needed if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        print(f"face_reference: skip: {os.path.join(folder, missing[0])} is missing "
              "(run scripts/fetch-data.sh)", file=sys.stderr)
        sys.exit(77)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_reference(args):
    import numpy as np
    import torch
    import face_model as fm

    folder = data_dir(args.data)
    require_data(folder)
    torch.set_num_threads(args.threads)
    rec_manifest = os.path.join(folder, "model/face_recognition_model-weights_manifest.json")
    det_manifest = os.path.join(folder, "model/tiny_face_detector_model-weights_manifest.json")
    recognizer = fm.FaceRecognitionNet(fm.load_weights(rec_manifest))
    detector = fm.TinyFaceDetector(fm.load_weights(det_manifest))

    images, faces = [], []
    for name in SAMPLES:
        path = os.path.join(folder, "demo", name)
        img = fm.read_rgb(path)
        found, raw = fm.detect_faces(detector, img)
        images.append({"image": name, "sha256": sha256(path), "width": int(img.shape[1]),
                       "height": int(img.shape[0]), "faces": len(found),
                       "detector_output_norm": float(raw.double().norm())})
        for face in found:
            x = fm.network_input(fm.crop(img, face["box"]), fm.RECOGNITION_INPUT,
                                 fm.RECOGNITION_MEAN_RGB, True)
            with torch.no_grad():
                emb = recognizer(x)[0].numpy()
            faces.append({"image": name, "box": face["box"], "score": face["score"],
                          "input_sum": float(x.double().sum()),
                          # 9 significant digits give back the same float32
                          "embedding": [float(f"{v:.9g}") for v in emb]})

    ref = {
        "model": "face_recognition",
        "source": f"npm @vladmandic/face-api 1.7.15 ({PACKAGE})",
        "weights_sha256": {os.path.basename(p): sha256(p) for p in
                           [rec_manifest, os.path.join(folder, "model/face_recognition_model.bin"),
                            det_manifest, os.path.join(folder, "model/tiny_face_detector_model.bin")]},
        "made_with": f"torch {torch.__version__}, numpy {np.__version__}",
        "input": {"size": fm.RECOGNITION_INPUT, "mean_rgb": fm.RECOGNITION_MEAN_RGB, "divisor": 255},
        "detector": {"input_size": fm.DETECTOR_INPUT, "score_threshold": fm.DETECTOR_SCORE,
                     "iou_threshold": fm.DETECTOR_IOU},
        "images": images,
        "faces": faces,
    }
    # One line per image and per face keeps the file small and diffs readable.
    with open(args.out, "w") as f:
        f.write("{\n")
        for key, value in ref.items():
            if isinstance(value, list):
                f.write(f' "{key}": [\n')
                f.write(",\n".join("  " + json.dumps(v) for v in value))
                f.write("\n ]")
            else:
                f.write(f' "{key}": {json.dumps(value)}')
            f.write(",\n" if key != "faces" else "\n")
        f.write("}\n")
    print(f"face_reference: {len(faces)} faces in {len(images)} images -> {args.out}")
    print_distances(faces)


def print_distances(faces):
    import numpy as np
    embs = [np.asarray(f["embedding"], dtype=np.float64) for f in faces]
    labels = [f"{f['image'].replace('sample', 's').replace('.jpg', '')}#{i}"
              for i, f in enumerate(faces)]
    print("euclidean distances (< 0.6: same person by face-api's threshold)")
    print("       " + " ".join(f"{l:>6}" for l in labels))
    for i, a in enumerate(embs):
        print(f"{labels[i]:>6} " + " ".join(f"{np.linalg.norm(a - b):6.3f}" for b in embs))


def same_person(args):
    """What the samples say about face-api's 0.6 threshold: distances of each
    face to itself mirrored and to a box shifted by 10 %, and between all
    pairs of different faces."""
    import numpy as np
    import torch
    import face_model as fm

    folder = data_dir(args.data)
    require_data(folder)
    torch.set_num_threads(args.threads)
    net = fm.FaceRecognitionNet(fm.load_weights(
        os.path.join(folder, "model/face_recognition_model-weights_manifest.json")))
    ref = json.load(open(args.reference))
    photos, mirrored, shifted = {}, [], []

    def embed(pixels):
        x = fm.network_input(pixels, fm.RECOGNITION_INPUT, fm.RECOGNITION_MEAN_RGB, True)
        with torch.no_grad():
            return net(x)[0].numpy().astype(np.float64)

    for face in ref["faces"]:
        if face["image"] not in photos:
            photos[face["image"]] = fm.read_rgb(os.path.join(folder, "demo", face["image"]))
        img = photos[face["image"]]
        e = np.asarray(face["embedding"], dtype=np.float64)
        mirrored.append(np.linalg.norm(embed(fm.crop(img, face["box"])[:, ::-1].copy()) - e))
        x, y, w, h = face["box"]
        d = max(1, w // 10)
        shifted.append(np.linalg.norm(embed(fm.crop(img, [max(0, x - d), max(0, y - d), w, h])) - e))
    embs = np.asarray([f["embedding"] for f in ref["faces"]], dtype=np.float64)
    dist = np.linalg.norm(embs[:, None] - embs[None], axis=2)[np.triu_indices(len(embs), 1)]
    for name, v in (("same face, mirrored", mirrored), ("same face, box shifted 10%", shifted),
                    ("different faces", dist)):
        v = np.asarray(v)
        print(f"{name:28s} {len(v):4d}: {v.min():.3f} .. {v.max():.3f}, median {np.median(v):.3f}, "
              f"{int((v < 0.6).sum())} below 0.6")


def bench(args):
    """Times the peer on a batch of face crops, eager and TorchScript-frozen
    (torch.jit.optimize_for_inference: every conv to oneDNN), with each
    thread count of --threads; reports the fastest, so the figure is
    PyTorch's best on this machine."""
    import numpy as np
    import torch
    import face_model as fm

    folder = data_dir(args.data)
    require_data(folder)
    ref = json.load(open(args.reference))
    weights = fm.load_weights(os.path.join(folder, "model/face_recognition_model-weights_manifest.json"))
    crops, images = [], {}
    for face in ref["faces"]:
        if face["image"] not in images:
            images[face["image"]] = fm.read_rgb(os.path.join(folder, "demo", face["image"]))
        crops.append(fm.network_input(fm.crop(images[face["image"]], face["box"]),
                                      fm.RECOGNITION_INPUT, fm.RECOGNITION_MEAN_RGB, True))
    batch = torch.cat([crops[i % len(crops)] for i in range(args.batch)])
    want = np.asarray([ref["faces"][i % len(crops)]["embedding"] for i in range(args.batch)])
    peer = fm.PeerNet(weights).eval()
    with torch.no_grad():
        nets = {"eager": peer, "torchscript": torch.jit.optimize_for_inference(torch.jit.script(peer))}
    results = {}
    for threads in args.threads:
        torch.set_num_threads(threads)
        for mode, net in nets.items():
            times = []
            with torch.no_grad():
                got = net(batch).numpy()  # the check, and the first warm-up
                for _ in range(2):  # TorchScript profiles its first runs, then optimizes
                    net(batch)
                err = float(np.max(np.linalg.norm(got - want, axis=1) / np.linalg.norm(want, axis=1)))
                deadline = time.perf_counter() + args.min_seconds
                while len(times) < args.repeats or time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    net(batch)
                    times.append(time.perf_counter() - t0)
            times_ms = sorted(t * 1e3 for t in times)
            results[f"{mode}/{threads}"] = {
                "mode": mode, "threads": threads, "runs": len(times_ms), "max_rel_err": err,
                "throughput": args.batch * 1e3 / float(np.percentile(times_ms, 50)),
                "throughput_best": args.batch * 1e3 / times_ms[0],
                "latency_ms": {"p50": float(np.percentile(times_ms, 50)),
                               "p99": float(np.percentile(times_ms, 99)), "best": times_ms[0]}}
    best = max(results, key=lambda m: results[m]["throughput_best"])
    out = {"peer": "pytorch", "version": torch.__version__,
           "mkldnn": bool(torch.backends.mkldnn.is_available()),
           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""), "batch": args.batch}
    out.update(results[best])
    out["modes"] = {m: r["throughput_best"] for m, r in results.items()}
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["write", "bench", "same"])
    p.add_argument("--data", help="the face-api package folder (default: $AHAL_DATA_DIR/" + PACKAGE + ")")
    p.add_argument("--out", default=os.path.join(HERE, "face_reference.json"))
    p.add_argument("--reference", default=os.path.join(HERE, "face_reference.json"))
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--min-seconds", type=float, default=0.0)
    p.add_argument("--threads", default=str(os.cpu_count() or 1),
                   help="thread count, or a comma list for bench (it reports the fastest)")
    args = p.parse_args()
    if args.batch < 1 or args.repeats < 1:
        p.error("--batch and --repeats must be >= 1")
    args.threads = [int(t) for t in args.threads.split(",")]
    if args.command != "bench":
        args.threads = args.threads[0]
    {"write": write_reference, "bench": bench, "same": same_person}[args.command](args)


if __name__ == "__main__":
    main()
