#!/usr/bin/env python3
"""Fine-tunes the shipped credits classifier end to end (backbone included) with PyTorch.

Why Python: the TF.js training in train.ts can only fit a head on frozen features (the wasm
backend lacks convolution gradient kernels; the cpu backend needs ~1 min per batch), and
@tensorflow/tfjs-node(-gpu) cannot be installed where it would need to download
libtensorflow. PyTorch trains the same network on a GPU (or, slowly, a CPU).

The network is NOT a re-implementation: the TF.js model.json's Keras graph is interpreted
layer by layer (ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, Add,
pooling, Dense), so the trained weights are written back into the same weights manifest and
the runtime (server/detector/classify.ts) loads them unchanged. Batch-norm statistics stay
frozen (small batches of a narrow domain would only disturb them); every other weight of the
layers from --tune-from onwards is trained.

Input: a pack from `tsx model/train/finetune-pack.ts` (frames.rgb.xz + items.json, the same
frames `npm run train` uses, held-out stills and clips never included). Preprocessing is
toModelInput's (rgb24 / 255), with augmentation on top (crop/scale, letterbox, brightness,
contrast).

  python3 model/train/finetune.py --pack .gpupack --model model/credits-classifier \
      --tune-from block_13 --epochs 8 --cv --out runs/ft

--cv: 4-fold grouped cross-validation over the training clips (the folds compare.ts uses),
printing real-clip FP / recall and stills F1, the numbers settings are chosen by.
Seeded (--seed); resumable (--resume continues from the per-epoch checkpoint in --out); one
JSON line per epoch in --out/train-log.jsonl; a progress bar when tqdm is installed.
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

try:
    from tqdm import tqdm
except ImportError:  # progress bars are a nicety
    tqdm = None


# --- the TF.js model: weights and graph ---------------------------------------------------


def read_tfjs(model_dir: Path) -> tuple[dict, list[dict], dict[str, np.ndarray]]:
    """model.json and its weights (float16-quantised or float32) as float32 arrays."""
    spec = json.loads((model_dir / "model.json").read_text())
    weights: dict[str, np.ndarray] = {}
    manifest: list[dict] = []
    for group in spec["weightsManifest"]:
        blob = b"".join((model_dir / p).read_bytes() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            stored = (w.get("quantization") or {}).get("dtype", w["dtype"])
            dtype = {"float16": np.float16, "float32": np.float32}[stored]
            size = n * np.dtype(dtype).itemsize
            arr = np.frombuffer(blob, dtype=dtype, count=n, offset=offset)
            weights[w["name"]] = arr.astype(np.float32).reshape(w["shape"])
            offset += size
            manifest.append(w)
    return spec, manifest, weights


def write_weights(manifest: list[dict], values: dict[str, np.ndarray], path: Path) -> None:
    """weights.bin in the manifest's order and storage dtype (model.json stays as it is)."""
    with path.open("wb") as f:
        for w in manifest:
            stored = (w.get("quantization") or {}).get("dtype", w["dtype"])
            arr = values[w["name"]].reshape(w["shape"])
            f.write(arr.astype({"float16": np.float16, "float32": np.float32}[stored]).tobytes())


def param_key(name: str) -> str:
    return name.replace("/", "__")


class KerasGraph(nn.Module):
    """Runs a Keras functional graph (as TF.js stores it) in PyTorch, NCHW."""

    def __init__(self, spec: dict, weights: dict[str, np.ndarray]):
        super().__init__()
        topo = spec["modelTopology"]
        config = (topo.get("model_config") or topo)["config"]
        self.layers = []
        for layer in config["layers"]:
            inputs = [n[0] for node in layer.get("inbound_nodes", []) for n in node]
            self.layers.append((layer["class_name"], layer["config"], layer["config"]["name"], inputs))
        self.output_name = config["output_layers"][0][0]
        self.params = nn.ParameterDict()
        for name, arr in weights.items():
            t = torch.from_numpy(arr.copy())
            if name.endswith("moving_mean") or name.endswith("moving_variance"):
                self.register_buffer(param_key(name), t)
            else:
                self.params[param_key(name)] = nn.Parameter(t)

    def w(self, layer: str, what: str) -> torch.Tensor:
        key = param_key(f"{layer}/{what}")
        return self.params[key] if key in self.params else getattr(self, key)

    def has(self, layer: str, what: str) -> bool:
        key = param_key(f"{layer}/{what}")
        return key in self.params or hasattr(self, key)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (the final Dense's softmax is left to the loss / predict)."""
        values: dict[str, torch.Tensor] = {}
        for cls, cfg, name, inputs in self.layers:
            ins = [values[i] for i in inputs]
            if cls == "InputLayer":
                y = x
            elif cls == "ZeroPadding2D":
                (t, b), (l, r) = cfg["padding"]
                y = F.pad(ins[0], (l, r, t, b))
            elif cls in ("Conv2D", "DepthwiseConv2D"):
                y = self.conv(cls, cfg, name, ins[0])
            elif cls == "BatchNormalization":
                y = F.batch_norm(
                    ins[0],
                    self.w(name, "moving_mean"),
                    self.w(name, "moving_variance"),
                    self.w(name, "gamma") if self.has(name, "gamma") else None,
                    self.w(name, "beta") if self.has(name, "beta") else None,
                    training=False,
                    eps=cfg.get("epsilon", 1e-3),
                )
            elif cls == "ReLU":
                y = F.relu(ins[0])
                if cfg.get("max_value") is not None:
                    y = torch.clamp(y, max=float(cfg["max_value"]))
            elif cls == "Add":
                y = ins[0]
                for other in ins[1:]:
                    y = y + other
            elif cls == "GlobalAveragePooling2D":
                y = ins[0].mean(dim=(2, 3))
            elif cls == "GlobalMaxPooling2D":
                y = ins[0].amax(dim=(2, 3))
            elif cls == "Concatenate":
                y = torch.cat(ins, dim=1)  # channels: last in Keras, 1 here (2-D after pooling)
            elif cls == "Dense":
                y = ins[0] @ self.w(name, "kernel")
                if cfg.get("use_bias", True):
                    y = y + self.w(name, "bias")
                if cfg.get("activation") not in ("softmax", "linear", None):
                    raise ValueError(f"{name}: activation {cfg['activation']} not supported")
            else:
                raise ValueError(f"layer {name}: {cls} not supported")
            values[name] = y
        return values[self.output_name]

    def conv(self, cls: str, cfg: dict, name: str, x: torch.Tensor) -> torch.Tensor:
        stride = tuple(cfg["strides"])
        if cls == "Conv2D":
            k = self.w(name, "kernel").permute(3, 2, 0, 1)  # kh,kw,in,out -> out,in,kh,kw
            groups = 1
        else:
            dk = self.w(name, "depthwise_kernel")  # kh,kw,in,mult
            kh, kw, cin, mult = dk.shape
            k = dk.permute(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw)
            groups = cin
        kh, kw = k.shape[2], k.shape[3]
        if cfg["padding"] == "valid":
            pad = (0, 0)
        elif stride == (1, 1):
            pad = (kh // 2, kw // 2)
        else:  # TF's "same" with stride 2 pads asymmetrically; MobileNetV2 pads explicitly
            raise ValueError(f"{name}: padding 'same' with strides {stride} not supported")
        bias = self.w(name, "bias") if cfg.get("use_bias", False) else None
        y = F.conv2d(x, k, bias, stride=stride, padding=pad, groups=groups)
        if cfg.get("activation") not in ("linear", None):
            raise ValueError(f"{name}: activation {cfg['activation']} not supported")
        return y

    def values(self) -> dict[str, np.ndarray]:
        out = {k.replace("__", "/"): v.detach().cpu().numpy() for k, v in self.params.items()}
        for k, v in self.named_buffers():
            out[k.replace("__", "/")] = v.detach().cpu().numpy()
        return out


def block_index(param: str) -> int:
    """Where a weight sits in MobileNetV2's order (Conv1 = 0, block_N = N, Conv_1 and head = 99)."""
    if param.startswith(("Conv1", "bn_Conv1", "expanded_conv")):
        return 0
    m = re.match(r"block_(\d+)_", param)
    return int(m.group(1)) if m else 99


def set_trainable(model: KerasGraph, tune_from: str) -> int:
    start = 0 if tune_from == "all" else 99 if tune_from == "head" else int(tune_from.split("_")[1])
    count = 0
    for key, p in model.params.items():
        p.requires_grad = block_index(key.replace("__", "/")) >= start
        count += p.numel() if p.requires_grad else 0
    return count


# --- data ---------------------------------------------------------------------------------


def load_pack(pack: Path) -> tuple[dict, np.ndarray]:
    index = json.loads((pack / "items.json").read_text())
    size = index["size"]
    raw = pack / "frames.rgb"
    if not raw.exists():  # decompressed once; written aside first so parallel runs never read half a file
        part = raw.with_suffix(f".part{os.getpid()}")
        part.write_bytes(lzma.decompress((pack / "frames.rgb.xz").read_bytes()))
        part.replace(raw)
    frames = np.fromfile(raw, dtype=np.uint8).reshape(-1, size, size, 3)
    if len(frames) != len(index["items"]):
        sys.exit(f"{pack}: {len(frames)} frames but {len(index['items'])} items; re-pack it")
    return index, frames


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """x: N,3,H,W in [0,1]. Crop/scale/shift, letterbox bars, brightness, contrast."""
    n, dev = x.shape[0], x.device

    def u(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(n, generator=gen, device=dev)

    sx, sy = u(0.75, 1.0), u(0.75, 1.0)
    tx, ty = (u(-1, 1) * (1 - sx)), (u(-1, 1) * (1 - sy))
    keep = torch.rand(n, generator=gen, device=dev) < 0.25  # a quarter untouched geometry
    sx, sy = torch.where(keep, 1.0, sx), torch.where(keep, 1.0, sy)
    tx, ty = torch.where(keep, 0.0, tx), torch.where(keep, 0.0, ty)
    theta = torch.zeros(n, 2, 3, device=dev)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = sx, tx, sy, ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    h = x.shape[2]
    bars = (torch.rand(n, generator=gen, device=dev) < 0.15) * (u(0.05, 0.15) * h).long()
    rows = torch.arange(h, device=dev)[None, :]
    mask = (rows >= bars[:, None]) & (rows < h - bars[:, None])
    x = x * mask[:, None, :, None]
    bright = u(0.7, 1.25)[:, None, None, None]
    contrast = u(0.8, 1.2)[:, None, None, None]
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return ((x - mean) * contrast + mean * bright).clamp(0, 1)


def to_input(frames_u8: torch.Tensor) -> torch.Tensor:
    """toModelInput: rgb24 / 255, NHWC -> NCHW."""
    return frames_u8.permute(0, 3, 1, 2).float().div_(255)


# --- training -----------------------------------------------------------------------------


def balanced_order(labels: np.ndarray, item_weight: np.ndarray, gen: torch.Generator) -> torch.Tensor:
    """One epoch's indices: each class equally likely; within a class, by item_weight (--clip-weight)."""
    counts = np.bincount(labels, minlength=3).astype(np.float64)
    weight = item_weight / np.maximum(counts[labels], 1)
    return torch.multinomial(torch.from_numpy(weight), len(labels), replacement=True, generator=gen)


def train_model(args, spec, base, frames, labels, clip_mask, train_idx, device, tag, out: Path | None):
    torch.manual_seed(args.seed)
    model = KerasGraph(spec, base).to(device)
    model.eval()  # frozen batch-norm statistics throughout
    trainable = set_trainable(model, args.tune_from)
    # The dense layer (ours, "endcue_*") learns faster than the pretrained layers before it.
    head = [p for k, p in model.params.items() if p.requires_grad and k.startswith("endcue_")]
    body = [p for k, p in model.params.items() if p.requires_grad and not k.startswith("endcue_")]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
        weight_decay=args.weight_decay,
    )
    steps_per_epoch = math.ceil(len(train_idx) / args.batch)
    total = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / steps_per_epoch) * 0.5 * (1 + math.cos(math.pi * min(s, total) / total))
    )
    start_epoch = 0
    ckpt = out / "checkpoint.pt" if out else None
    if ckpt and args.resume and ckpt.exists():
        state = torch.load(ckpt, map_location=device)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        start_epoch = state["epoch"]
        print(f"{tag}: resumed after epoch {start_epoch}", flush=True)
    gen = torch.Generator(device=device)
    gen_cpu = torch.Generator()
    tr_labels = labels[train_idx]
    weight = np.where(clip_mask[train_idx], args.clip_weight, 1.0)
    idx_dev = torch.from_numpy(train_idx).to(device)
    lab_dev = torch.from_numpy(labels).to(device)
    for epoch in range(start_epoch, args.epochs):
        gen.manual_seed(args.seed * 1000 + epoch)
        gen_cpu.manual_seed(args.seed * 1000 + epoch)
        order = balanced_order(tr_labels, weight, gen_cpu).to(device)
        t0 = time.time()
        loss_sum, seen = 0.0, 0
        steps = range(0, len(order), args.batch)
        bar = tqdm(steps, desc=f"{tag} epoch {epoch + 1}/{args.epochs}", leave=False) if tqdm and sys.stderr.isatty() else steps
        for b in bar:
            rows = idx_dev[order[b : b + args.batch]]
            x = augment(to_input(frames[rows]), gen)
            y = lab_dev[rows]
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(rows)
            seen += len(rows)
        line = {"tag": tag, "epoch": epoch + 1, "loss": round(loss_sum / seen, 5), "seconds": round(time.time() - t0, 2), "trainable": trainable}
        print(json.dumps(line), flush=True)
        if out:
            with (out / "train-log.jsonl").open("a") as f:
                f.write(json.dumps(line) + "\n")
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch + 1}, ckpt)
    return model


@torch.no_grad()
def predict(model, frames, idx: np.ndarray, batch=256) -> np.ndarray:
    out = []
    for b in range(0, len(idx), batch):
        rows = torch.from_numpy(idx[b : b + batch]).to(frames.device)
        out.append(F.softmax(model(to_input(frames[rows])), dim=1).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 3), np.float32)


def cv_report(items, probs: np.ndarray) -> dict:
    credits = 1
    clip = np.array([it["clip"] for it in items])
    pos = np.array([it["kind"] == "clip-credits" for it in items])
    stills = np.array([it["group"] == "stills" for it in items])
    truth_credits = np.array([it["label"] == credits for it in items])
    report = {"per_clip": {}, "sweep": {}}
    for th in (0.5, 0.7, 0.8, 0.9):
        called = probs[:, credits] >= th
        neg = clip & ~pos
        report["sweep"][th] = {
            "fp": int((called & neg).sum()), "neg": int(neg.sum()),
            "tp": int((called & clip & pos).sum()), "pos": int((clip & pos).sum()),
        }
    called = probs[:, credits] >= 0.5
    for g in sorted({it["group"] for it in items if it["clip"]}):
        m = np.array([it["group"] == g for it in items])
        report["per_clip"][g] = f"fp {int((called & m & ~pos).sum())}/{int((m & ~pos).sum())} found {int((called & m & pos).sum())}/{int((m & pos).sum())}"
    tp = int((called & stills & truth_credits).sum())
    fp = int((called & stills & ~truth_credits).sum())
    fn = int((~called & stills & truth_credits).sum())
    report["stills_f1"] = round(2 * tp / max(1, 2 * tp + fp + fn), 4)
    s = report["sweep"][0.5]
    report["summary"] = (
        f"clip FP {100 * s['fp'] / max(1, s['neg']):.1f}% ({s['fp']}/{s['neg']}) | "
        f"clip recall {100 * s['tp'] / max(1, s['pos']):.1f}% ({s['tp']}/{s['pos']}) | stills F1 {report['stills_f1']:.3f} | "
        + " ".join(f"@{th}: FP {100 * v['fp'] / max(1, v['neg']):.1f}% R {100 * v['tp'] / max(1, v['pos']):.1f}%" for th, v in report["sweep"].items())
    )
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", type=Path, default=Path(".gpupack"), help="folder from finetune-pack.ts")
    ap.add_argument("--model", type=Path, default=Path("model/credits-classifier"), help="TF.js model to start from")
    ap.add_argument("--out", type=Path, required=True, help="where weights.bin, log and checkpoint go")
    ap.add_argument("--tune-from", default="block_13", help="all | block_N (that block and all after it) | head (Conv_1 and the dense layer)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-4, help="backbone learning rate (AdamW)")
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--label-smoothing", type=float, default=0.05)
    ap.add_argument("--clip-weight", type=float, default=1.0, help="sampling weight of real clip frames vs stills/synthetic")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cv", action="store_true", help="4-fold grouped CV over the training clips first")
    ap.add_argument("--no-final", action="store_true", help="CV only: do not train on everything")
    ap.add_argument("--check", type=int, default=0, help="print the start model's probabilities for the first N frames and stop")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()

    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    device = torch.device(args.device)
    spec, manifest, base = read_tfjs(args.model)
    index, frames_np = load_pack(args.pack)
    items = index["items"]
    labels = np.array([it["label"] for it in items], dtype=np.int64)
    clip_mask = np.array([it["clip"] for it in items])
    folds = np.array([it["fold"] for it in items])
    frames = torch.from_numpy(frames_np).to(device)
    if args.check:
        model = KerasGraph(spec, base).to(device).eval()
        print(json.dumps(predict(model, frames, np.arange(args.check)).round(5).tolist()))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    tag = f"tune {args.tune_from} ep {args.epochs} lr {args.lr} hlr {args.head_lr} wd {args.weight_decay} ls {args.label_smoothing} cw {args.clip_weight} seed {args.seed}"
    print(f"{tag}: {len(items)} frames on {device}", flush=True)
    if args.cv:
        oof = np.zeros((len(items), 3), np.float32)
        for k in range(4):
            model = train_model(args, spec, base, frames, labels, clip_mask, np.where(folds != k)[0], device, f"fold {k}", None)
            te = np.where(folds == k)[0]
            oof[te] = predict(model, frames, te)
            del model
        report = cv_report(items, oof)
        for clip, line in report["per_clip"].items():
            print(f"  {clip:32} {line}")
        print(f"RESULT {tag} | {report['summary']}", flush=True)
        (args.out / "cv.json").write_text(json.dumps({"tag": tag, **report}, indent=1))
    if not args.no_final:
        model = train_model(args, spec, base, frames, labels, clip_mask, np.arange(len(items)), device, "final", args.out)
        write_weights(manifest, model.values(), args.out / "weights.bin")
        (args.out / "settings.json").write_text(json.dumps({k: str(v) for k, v in vars(args).items()}, indent=1))
        print(f"wrote {args.out / 'weights.bin'}", flush=True)


if __name__ == "__main__":
    main()
