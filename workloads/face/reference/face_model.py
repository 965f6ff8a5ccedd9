"""The face-api networks in PyTorch: the reference the ahal workload is checked
against, and the PyTorch peer it is timed against.

Everything follows @vladmandic/face-api 1.7.15 (src/faceRecognitionNet,
src/tinyYolov2, src/tinyFaceDetector, src/dom/NetInput.ts): the same TF.js
weight files, the same preprocessing, the same layers, in NCHW.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

RECOGNITION_MEAN_RGB = (122.782, 117.001, 104.298)
RECOGNITION_INPUT = 150
DETECTOR_MEAN_RGB = (117.001, 114.697, 97.404)
DETECTOR_INPUT = 416
DETECTOR_ANCHORS = ((1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061),
                    (4.266906, 5.178857), (9.041765, 10.66308))
DETECTOR_IOU = 0.4
DETECTOR_SCORE = 0.5

# The bytes per element of each TF.js dtype.
_DTYPES = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "uint16": np.uint16}


def load_weights(manifest_path):
    """Reads a TF.js weights manifest and its shards; returns {name: float32 array}.

    Quantized weights are dequantized as TF.js does: value = q * scale + min,
    computed in double and stored as float32.
    """
    folder = os.path.dirname(manifest_path)
    with open(manifest_path) as f:
        groups = json.load(f)
    weights = {}
    for group in groups:
        blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            count = int(np.prod(entry["shape"])) if entry["shape"] else 1
            quant = entry.get("quantization")
            stored = _DTYPES[quant["dtype"] if quant else entry["dtype"]]
            size = count * np.dtype(stored).itemsize
            raw = np.frombuffer(blob, dtype=stored, count=count, offset=offset)
            offset += size
            if quant:
                values = raw.astype(np.float64) * quant["scale"] + quant["min"]
            else:
                values = raw
            weights[entry["name"]] = values.astype(np.float32).reshape(entry["shape"])
        if offset != len(blob):
            raise ValueError(f"{manifest_path}: weights take {offset} bytes, shards hold {len(blob)}")
    return weights


def read_rgb(path):
    """Decodes a JPEG to an HxWx3 uint8 array (PIL uses Debian's libjpeg-turbo)."""
    from PIL import Image
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def pad_to_square(img, centered):
    """face-api padToSquare: zero rows/columns on the short side (both sides
    when centered, the larger half after the image)."""
    h, w = img.shape[:2]
    if h == w:
        return img.astype(np.float64)
    diff = abs(h - w)
    after = int(math.floor(diff * (0.5 if centered else 1.0) + 0.5))  # Math.round
    before = diff - after if centered else 0
    if h > w:
        pads = ((0, 0), (before, after), (0, 0))
    else:
        pads = ((before, after), (0, 0), (0, 0))
    return np.pad(img.astype(np.float64), pads)


def resize_bilinear(img, size):
    """tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false) as the
    TF.js CPU backend computes it, in double."""
    h, w = img.shape[:2]
    if h == size and w == size:
        return img
    ys = np.arange(size) * (h / size)
    xs = np.arange(size) * (w / size)
    y0 = np.maximum(0, np.floor(ys)).astype(np.int64)
    x0 = np.maximum(0, np.floor(xs)).astype(np.int64)
    y1 = np.minimum(h - 1, np.ceil(ys)).astype(np.int64)
    x1 = np.minimum(w - 1, np.ceil(xs)).astype(np.int64)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    tl = img[y0][:, x0]
    tr = img[y0][:, x1]
    bl = img[y1][:, x0]
    br = img[y1][:, x1]
    top = tl + (tr - tl) * fx
    bottom = bl + (br - bl) * fx
    return top + (bottom - top) * fy


def network_input(img, size, mean_rgb, centered):
    """NetInput.toBatchTensor + normalize + div(255): HxWx3 uint8 -> 1x3xSxS float32."""
    x = resize_bilinear(pad_to_square(img, centered), size).astype(np.float32)
    x = (x - np.asarray(mean_rgb, dtype=np.float32)) / np.float32(255)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))


def crop(img, box):
    x, y, w, h = box
    return img[y:y + h, x:x + w]


# ------------------------------------------------------------- recognition

def _conv_weight(hwio):
    return torch.from_numpy(np.ascontiguousarray(hwio.transpose(3, 2, 0, 1)))


class FaceRecognitionNet:
    """src/faceRecognitionNet: a ResNet-34-like network, 150x150 RGB -> 128-d."""

    def __init__(self, weights):
        self.w = weights
        self.t = {name: (_conv_weight(v) if v.ndim == 4 else torch.from_numpy(v))
                  for name, v in weights.items()}

    def conv_layer(self, x, prefix, stride, relu, padding):
        t = self.t
        out = F.conv2d(x, t[prefix + "/conv/filters"], stride=stride, padding=padding)
        out = out + t[prefix + "/conv/bias"].view(1, -1, 1, 1)
        out = out * t[prefix + "/scale/weights"].view(1, -1, 1, 1)
        out = out + t[prefix + "/scale/biases"].view(1, -1, 1, 1)
        return F.relu(out) if relu else out

    def residual(self, x, prefix):
        out = self.conv_layer(x, prefix + "/conv1", 1, True, 1)
        out = self.conv_layer(out, prefix + "/conv2", 1, False, 1)
        return F.relu(out + x)

    def residual_down(self, x, prefix):
        out = self.conv_layer(x, prefix + "/conv1", 2, True, 0)
        out = self.conv_layer(out, prefix + "/conv2", 1, False, 1)
        pooled = F.avg_pool2d(x, 2, 2)
        if pooled.shape[2:] != out.shape[2:]:
            # face-api appends one zero row and one zero column.
            out = F.pad(out, (0, 1, 0, 1))
        if pooled.shape[1] != out.shape[1]:
            pooled = F.pad(pooled, (0, 0, 0, 0, 0, out.shape[1] - pooled.shape[1]))
        return F.relu(pooled + out)

    def __call__(self, x):
        out = self.conv_layer(x, "conv32_down", 2, True, 0)
        out = F.max_pool2d(out, 3, 2)
        for name in ("conv32_1", "conv32_2", "conv32_3"):
            out = self.residual(out, name)
        out = self.residual_down(out, "conv64_down")
        for name in ("conv64_1", "conv64_2", "conv64_3"):
            out = self.residual(out, name)
        out = self.residual_down(out, "conv128_down")
        for name in ("conv128_1", "conv128_2"):
            out = self.residual(out, name)
        out = self.residual_down(out, "conv256_down")
        for name in ("conv256_1", "conv256_2"):
            out = self.residual(out, name)
        out = self.residual_down(out, "conv256_down_out")
        return out.mean(dim=(2, 3)) @ self.t["fc"]


class PeerNet(torch.nn.Module):
    """The recognition network as a PyTorch user deploys it for the timing
    peer: nn.Conv2d modules with the scale layers folded in (as the ahal
    graph folds them), so TorchScript can hand every conv to oneDNN."""

    def __init__(self, weights):
        super().__init__()
        w = weights

        def conv(prefix, stride, pad):
            f, s = w[prefix + "/conv/filters"], w[prefix + "/scale/weights"]
            c = torch.nn.Conv2d(f.shape[2], f.shape[3], f.shape[0], stride=stride, padding=pad)
            c.weight.data = _conv_weight(f * s)
            c.bias.data = torch.from_numpy(w[prefix + "/conv/bias"] * s + w[prefix + "/scale/biases"])
            return c

        self.down = conv("conv32_down", 2, 0)
        self.blocks = torch.nn.ModuleList()
        for name, kind in _BLOCKS:
            stride, pad = (2, 0) if kind == "down" else (1, 1)
            self.blocks.append(torch.nn.ModuleList([conv(name + "/conv1", stride, pad),
                                                    conv(name + "/conv2", 1, 1)]))
        self.kinds = [kind == "down" for _, kind in _BLOCKS]
        self.fc = torch.nn.Parameter(torch.from_numpy(w["fc"]))

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.down(x)), 3, 2)
        for i, block in enumerate(self.blocks):
            y = block[1](F.relu(block[0](out)))
            if self.kinds[i]:
                pooled = F.avg_pool2d(out, 2, 2)
                if pooled.shape[2] != y.shape[2]:
                    y = F.pad(y, (0, 1, 0, 1))
                if pooled.shape[1] != y.shape[1]:
                    pooled = torch.cat([pooled, torch.zeros_like(pooled)], 1)
                out = F.relu(pooled + y)
            else:
                out = F.relu(y + out)
        return out.mean(dim=(2, 3)) @ self.fc


_BLOCKS = [("conv32_1", "res"), ("conv32_2", "res"), ("conv32_3", "res"),
           ("conv64_down", "down"), ("conv64_1", "res"), ("conv64_2", "res"), ("conv64_3", "res"),
           ("conv128_down", "down"), ("conv128_1", "res"), ("conv128_2", "res"),
           ("conv256_down", "down"), ("conv256_1", "res"), ("conv256_2", "res"),
           ("conv256_down_out", "down")]


# ---------------------------------------------------------------- detector

def _leaky(x):
    # face-api's leaky(): relu(x - 0.1x) + 0.1x
    m = x * 0.10000000149011612
    return F.relu(x - m) + m


def _max_pool_same(x, stride):
    """tf.maxPool(x, 2, stride, 'same'): padding (if any) after, never chosen."""
    h = x.shape[2]
    out = -(-h // stride)
    pad = max(0, (out - 1) * stride + 2 - h)
    if pad:
        x = F.pad(x, (0, pad, 0, pad), value=-math.inf)
    return F.max_pool2d(x, 2, stride)


class TinyFaceDetector:
    """src/tinyFaceDetector: tiny YOLOv2 with depthwise-separable convolutions."""

    def __init__(self, weights):
        self.t = {}
        for name, v in weights.items():
            if name.endswith("depthwise_filter"):  # [3,3,C,1] -> [C,1,3,3]
                self.t[name] = torch.from_numpy(np.ascontiguousarray(v.transpose(2, 3, 0, 1)))
            elif v.ndim == 4:
                self.t[name] = _conv_weight(v)
            else:
                self.t[name] = torch.from_numpy(v)

    def separable(self, x, prefix):
        t = self.t
        x = F.pad(x, (1, 1, 1, 1))
        x = F.conv2d(x, t[prefix + "/depthwise_filter"], groups=x.shape[1])
        x = F.conv2d(x, t[prefix + "/pointwise_filter"])
        return _leaky(x + t[prefix + "/bias"].view(1, -1, 1, 1))

    def __call__(self, x):
        t = self.t
        out = F.conv2d(x, t["conv0/filters"]) + t["conv0/bias"].view(1, -1, 1, 1)
        out = _max_pool_same(_leaky(out), 2)
        for i in range(1, 5):
            out = _max_pool_same(self.separable(out, f"conv{i}"), 2)
        out = _max_pool_same(self.separable(out, "conv5"), 1)
        out = F.conv2d(out, t["conv8/filters"]) + t["conv8/bias"].view(1, -1, 1, 1)
        return out  # 1 x 25 x 13 x 13


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def detect_faces(detector, img):
    """TinyYolov2Base.detect with face-api's defaults (416, score 0.5, IoU 0.4):
    boxes in image pixels, clipped and floored as extractFaceTensors does."""
    height, width = img.shape[:2]
    scale = DETECTOR_INPUT / max(width, height)
    rw, rh = math.floor(width * scale + 0.5), math.floor(height * scale + 0.5)  # Math.round
    side = max(rw, rh)
    fx, fy = side / rw, side / rh
    with torch.no_grad():
        out = detector(network_input(img, DETECTOR_INPUT, DETECTOR_MEAN_RGB, False))
    cells = out.shape[2]
    grid = out[0].permute(1, 2, 0).reshape(cells, cells, len(DETECTOR_ANCHORS), 5).double().numpy()
    found = []
    for row in range(cells):
        for col in range(cells):
            for a, (ax, ay) in enumerate(DETECTOR_ANCHORS):
                tx, ty, tw, th, ts = grid[row, col, a]
                score = _sigmoid(ts)
                if score <= DETECTOR_SCORE:
                    continue
                cx = (col + _sigmoid(tx)) / cells * fx
                cy = (row + _sigmoid(ty)) / cells * fy
                bw = math.exp(tw) * ax / cells * fx
                bh = math.exp(th) * ay / cells * fy
                found.append((score, cx - bw / 2, cy - bh / 2, bw, bh))
    picked = _non_max_suppression(found)
    faces = []
    for score, x, y, w, h in picked:
        x, y, w, h = x * width, y * height, w * width, h * height
        cx, cy = max(x, 0.0), max(y, 0.0)
        cw = min(x + w - cx, width - cx)
        ch = min(y + h - cy, height - cy)
        box = [math.floor(cx), math.floor(cy), math.floor(cw), math.floor(ch)]
        if box[2] > 0 and box[3] > 0:
            faces.append({"box": box, "score": score})
    return faces, out


def _non_max_suppression(found):
    def iou(a, b):
        iw = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
        ih = max(0.0, min(a[2] + a[4], b[2] + b[4]) - max(a[2], b[2]))
        inter = iw * ih
        return inter / (a[3] * a[4] + b[3] * b[4] - inter)

    order = sorted(found, key=lambda f: f[0])
    picked = []
    while order:
        best = order.pop()
        picked.append(best)
        order = [f for f in order if iou(best, f) <= DETECTOR_IOU]
    return picked
