"""Trains tiercel's target and draft models together on the encoded code corpus.

Run with Debian's python3 + python3-torch (see models/README.md). Debian's torch runs fp32 matmul
through the system BLAS: the reference libblas manages ~2.5 GFLOP/s, so on AMX machines bf16 autocast
(oneDNN) is what makes CPU training usable; with OpenBLAS installed (libopenblas0-pthread) fp32 is the
faster one on AVX-512 machines without AMX/AVX512_BF16 (171 vs 52 GFLOP/s on 2 threads). --dtype auto
measures both on the machine it runs on and trains in the faster one.

The two models are llama-architecture transformers (RMSNorm, rotary attention on adjacent pairs
as llama.cpp's LLAMA rope type expects, SwiGLU) so their weights export to GGUF without any
permutation. The draft is trained on the hard targets *and* distilled from the target's current
distribution (KL), which is what raises the greedy acceptance rate of the pair: the draft learns
to predict what the target will say, not only what the corpus says.

Training is budgeted by wall time (--minutes) with a time-based cosine schedule; checkpoints
(safetensors) are written every --checkpoint-minutes so a cut-off run still leaves weights.
"""
import argparse, json, math, os, struct, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TARGET = dict(dim=320, layers=6, heads=5, ffn=864)
DRAFT = dict(dim=128, layers=2, heads=2, ffn=384)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight


def rope_tables(head_dim, seq, base=10000.0):
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
    ang = torch.outer(torch.arange(seq).float(), inv)  # [seq, head_dim/2]
    return ang.cos(), ang.sin()


def apply_rope(x, cos, sin):
    # x: [B, H, T, D]; rotate adjacent pairs (x0, x1), (x2, x3), ... (llama.cpp rope type NORM)
    # Tables are cast to x's dtype: a bf16 × fp32 product would promote and copy every tensor.
    x0, x1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[: x.shape[2]].to(x.dtype), sin[: x.shape[2]].to(x.dtype)
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, dim, heads, ffn):
        super().__init__()
        self.heads = heads
        self.attn_norm = RMSNorm(dim)
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)
        self.ffn_norm = RMSNorm(dim)
        self.w_gate = nn.Linear(dim, ffn, bias=False)
        self.w_up = nn.Linear(dim, ffn, bias=False)
        self.w_down = nn.Linear(ffn, dim, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, C = x.shape
        hd = C // self.heads
        h = self.attn_norm(x)
        q = self.wq(h).view(B, T, self.heads, hd).transpose(1, 2)
        k = self.wk(h).view(B, T, self.heads, hd).transpose(1, 2)
        v = self.wv(h).view(B, T, self.heads, hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = (att.float() + mask[:T, :T]).softmax(-1).type_as(v)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.wo(y)
        h = self.ffn_norm(x)
        return x + self.w_down(F.silu(self.w_gate(h)) * self.w_up(h))


class Llama(nn.Module):
    def __init__(self, vocab, dim, layers, heads, ffn, seq):
        super().__init__()
        self.cfg = dict(vocab=vocab, dim=dim, layers=layers, heads=heads, ffn=ffn)
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim, heads, ffn) for _ in range(layers))
        self.norm = RMSNorm(dim)
        self.out = nn.Linear(dim, vocab, bias=False)
        self.out.weight = self.embed.weight  # tied; exported as both token_embd and output
        cos, sin = rope_tables(dim // heads, seq)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.register_buffer("mask", torch.full((seq, seq), float("-inf")).triu(1), persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("wo.weight", "w_down.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        x = self.embed(idx)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        return self.out(self.norm(x))

    def n_params(self):
        return sum(p.numel() for p in self.parameters())


def gguf_tensors(model):
    """Weights under llama.cpp's GGUF tensor names, torch layout [out, in]."""
    t = {"token_embd.weight": model.embed.weight, "output_norm.weight": model.norm.weight,
         "output.weight": model.out.weight}
    for i, b in enumerate(model.blocks):
        p = f"blk.{i}."
        t.update({p + "attn_norm.weight": b.attn_norm.weight, p + "attn_q.weight": b.wq.weight,
                  p + "attn_k.weight": b.wk.weight, p + "attn_v.weight": b.wv.weight,
                  p + "attn_output.weight": b.wo.weight, p + "ffn_norm.weight": b.ffn_norm.weight,
                  p + "ffn_gate.weight": b.w_gate.weight, p + "ffn_up.weight": b.w_up.weight,
                  p + "ffn_down.weight": b.w_down.weight})
    return t


def load_safetensors(path, model):
    """Loads weights saved by save_safetensors (to continue training from a checkpoint).

    A checkpoint with fewer token rows than the model's vocabulary (control tokens appended to the
    tokenizer since, e.g. the FIM tokens) is grown: the new rows start at the mean embedding plus small
    noise, so the new tokens begin as "an average token" rather than as outliers in the tied output.
    """
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        params = gguf_tensors(model)
        for name, info in header.items():
            if name == "__metadata__" or name == "output.weight":  # output is tied to token_embd
                continue
            start, end = info["data_offsets"]
            f.seek(base + start)
            arr = torch.from_numpy(np.frombuffer(f.read(end - start), dtype=np.float32).reshape(info["shape"]).copy())
            with torch.no_grad():
                p = params[name]
                if name == "token_embd.weight" and arr.shape[0] < p.shape[0]:
                    n = arr.shape[0]
                    p[:n].copy_(arr)
                    p[n:].copy_(arr.mean(0) + 0.02 * torch.randn(p.shape[0] - n, arr.shape[1]) * arr.std())
                    print(f"grew {name} from {n} to {p.shape[0]} rows", flush=True)
                else:
                    p.copy_(arr)


def save_safetensors(path, model, meta):
    header, blobs, offset = {}, [], 0
    for name, p in gguf_tensors(model).items():
        arr = p.detach().float().contiguous().numpy().astype(np.float32)
        data = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


@torch.no_grad()
def evaluate(models, data, seq, starts=None, batches=24, seed=1234):
    """Held-out cross-entropy of each model, and how often the last model's argmax equals the first's.

    The argmax agreement on held-out text is a cheap proxy for the pair's greedy acceptance rate.
    """
    g = torch.Generator().manual_seed(seed)
    losses = [0.0] * len(models)
    agree = 0.0
    for _ in range(batches):
        x, y = batch(data, 8, seq, g, starts)
        with mixed_precision():
            logits = [m(x).float() for m in models]
        for i, (m, lg) in enumerate(zip(models, logits)):
            losses[i] += F.cross_entropy(lg.view(-1, m.cfg["vocab"]), y.view(-1)).item()
        agree += (logits[0].argmax(-1) == logits[-1].argmax(-1)).float().mean().item()
    return [l / batches for l in losses], agree / batches


USE_BF16 = True


def mixed_precision():
    """bf16 autocast where it is the faster matmul here (see choose_precision), plain fp32 otherwise."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=USE_BF16)


def matmul_gflops(dtype):
    a = torch.randn(3072, 320, dtype=dtype)
    b = torch.randn(320, 864, dtype=dtype)
    for _ in range(2):
        a @ b
    n, t = 8, time.time()
    for _ in range(n):
        a @ b
    return 2 * 3072 * 320 * 864 * n / (time.time() - t) / 1e9


def choose_precision(choice):
    global USE_BF16
    if choice == "auto":
        fp32, bf16 = matmul_gflops(torch.float32), matmul_gflops(torch.bfloat16)
        USE_BF16 = bf16 > fp32
        print(f"matmul fp32 {fp32:.1f} GFLOP/s, bf16 {bf16:.1f} GFLOP/s: training in "
              f"{'bf16 autocast' if USE_BF16 else 'fp32'}", flush=True)
    else:
        USE_BF16 = choice == "bf16"


def checkpoint_shape(path, role):
    """The architecture of a checkpoint: its safetensors metadata, else the log.json beside it."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        meta = json.loads(f.read(n)).get("__metadata__") or {}
    if "dim" not in meta:
        with open(os.path.join(os.path.dirname(path), "log.json")) as f:
            meta = json.load(f)[role]
    return {k: int(meta[k]) for k in ("dim", "layers", "heads", "ffn")}


@torch.no_grad()
def grow(small, big):
    """Copies `small` into `big` so that `big` computes exactly the same function.

    Growth is allowed in depth (extra blocks appended after the trained ones) and in FFN width; the
    model dimension and head count must match. New blocks and new FFN units start from the usual
    random init except for their output projections (wo, w_down columns), which are zero: the
    residual stream passes through them unchanged, and gradients reach them from the first step.
    """
    s, b = small.cfg, big.cfg
    if (s["dim"], s["heads"]) != (b["dim"], b["heads"]) or s["layers"] > b["layers"] or s["ffn"] > b["ffn"]:
        raise SystemExit(f"cannot grow {s} into {b}: only layers and ffn may grow")
    big.embed.weight.copy_(small.embed.weight)
    big.norm.weight.copy_(small.norm.weight)
    f = s["ffn"]
    for i, blk in enumerate(big.blocks):
        if i >= s["layers"]:
            blk.wo.weight.zero_()
            blk.w_down.weight.zero_()
            continue
        old = small.blocks[i]
        for name in ("attn_norm", "ffn_norm", "wq", "wk", "wv", "wo"):
            getattr(blk, name).weight.copy_(getattr(old, name).weight)
        blk.w_gate.weight[:f].copy_(old.w_gate.weight)
        blk.w_up.weight[:f].copy_(old.w_up.weight)
        blk.w_down.weight.zero_()
        blk.w_down.weight[:, :f].copy_(old.w_down.weight)


def fim_end_weights(x, y, weight, middle_id, end_id=0):
    """Per-target-token loss weights: `weight` on each `<|endoftext|>` that closes a FIM middle (the first
    end token after a `<|fim_middle|>` in the window), 1 elsewhere.

    A middle's end is one token in a whole window, and ending the middle is what an editor needs most
    (an answer that runs on past the line is useless), so plain cross-entropy teaches it slowly: after
    22 minutes of line-level FIM the target gave the true end 2.5 % on held-out samples (session 10 probe).
    """
    w = torch.ones(y.shape, dtype=torch.float32)
    if weight == 1:
        return w
    xs, ys = x.numpy(), y.numpy()
    for r in range(xs.shape[0]):
        ends = np.flatnonzero(ys[r] == end_id)
        for m in np.flatnonzero(xs[r] == middle_id):
            after = ends[ends >= m]
            if len(after):
                w[r, after[0]] = weight
    return w


def batch(data, bsz, seq, g, starts=None):
    """bsz windows of seq tokens (and their next tokens): at random offsets, or at random chunk starts."""
    if starts is None:
        ix = torch.randint(0, len(data) - seq - 1, (bsz,), generator=g)
    else:
        ix = starts[torch.randint(0, len(starts), (bsz,), generator=g)]
    x = torch.stack([torch.from_numpy(data[i : i + seq].astype(np.int64)) for i in ix.tolist()])
    y = torch.stack([torch.from_numpy(data[i + 1 : i + 1 + seq].astype(np.int64)) for i in ix.tolist()])
    return x, y


def read_starts(corpus, split, n_tokens, seq):
    """Chunk start offsets written beside a token stream (fim/encodeFimCorpus.ts), or None without them."""
    path = os.path.join(corpus, f"{split}.starts.bin")
    if not os.path.exists(path):
        return None
    starts = np.fromfile(path, dtype=np.uint32).astype(np.int64)
    return torch.from_numpy(starts[starts < n_tokens - seq - 1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="models/.cache/corpus")
    ap.add_argument("--out", default="models/.cache/train")
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--seq", type=int, default=384)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--minutes", type=float, default=80)
    ap.add_argument("--checkpoint-minutes", type=float, default=10)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--draft-lr", type=float, default=3e-3)
    ap.add_argument("--distill", type=float, default=0.7, help="weight of the KL-to-target term in the draft loss")
    ap.add_argument("--warmup", type=int, default=100, help="learning-rate warm-up steps")
    ap.add_argument("--eval-batches", type=int, default=24, help="held-out batches (of 8 windows) per checkpoint")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", choices=("auto", "bf16", "fp32"), default="auto",
                    help="matmul precision; auto measures both here and takes the faster")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fim-end-weight", type=float, default=1.0,
                    help="loss weight of the end token after a FIM middle (see fim_end_weights)")
    ap.add_argument("--fim-middle-id", type=int, default=4098, help="id of <|fim_middle|> (4098 for the 4,096 BPE)")
    ap.add_argument("--resume", default=None, help="directory with target/draft .safetensors to continue from")
    ap.add_argument("--draft-shape", default=None,
                    help="dim,layers,heads,ffn of the draft (default: the resumed draft's, else %s); with --resume a smaller "
                         "trained draft is grown into it function-preservingly" % ",".join(str(v) for v in DRAFT.values()))
    ap.add_argument("--freeze-target", action="store_true",
                    help="train only the draft, distilling from a fixed target (needs --resume)")
    ap.add_argument("--freeze-draft", action="store_true",
                    help="train only the target; the draft is carried over unchanged (needs --resume)")
    args = ap.parse_args()
    if args.freeze_target and not args.resume:
        raise SystemExit("--freeze-target needs --resume: a target to distil from")
    if args.freeze_draft and not args.resume:
        raise SystemExit("--freeze-draft needs --resume: a draft to carry over")
    if args.freeze_draft and args.freeze_target:
        raise SystemExit("--freeze-draft and --freeze-target together leave nothing to train")
    draft_cfg = dict(DRAFT)
    if args.draft_shape:
        draft_cfg = dict(zip(("dim", "layers", "heads", "ffn"), (int(v) for v in args.draft_shape.split(","))))
    elif args.resume:
        draft_cfg = checkpoint_shape(os.path.join(args.resume, "draft.safetensors"), "draft")
    torch.set_num_threads(args.threads)
    choose_precision(args.dtype)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    train = np.fromfile(os.path.join(args.corpus, "train.bin"), dtype=np.uint16)
    held = np.fromfile(os.path.join(args.corpus, "heldout.bin"), dtype=np.uint16)
    train_starts = read_starts(args.corpus, "train", len(train), args.seq)
    held_starts = read_starts(args.corpus, "heldout", len(held), args.seq)

    target = Llama(args.vocab, seq=args.seq, **TARGET)
    draft = Llama(args.vocab, seq=args.seq, **draft_cfg)
    print(f"target {target.n_params()/1e6:.2f}M params, draft {draft.n_params()/1e6:.2f}M params, "
          f"train {len(train)/1e6:.1f}M tokens", flush=True)
    if args.resume:
        load_safetensors(os.path.join(args.resume, "target.safetensors"), target)
        draft_path = os.path.join(args.resume, "draft.safetensors")
        old_cfg = checkpoint_shape(draft_path, "draft")
        if old_cfg == draft_cfg:
            load_safetensors(draft_path, draft)
        else:
            old = Llama(args.vocab, seq=args.seq, **old_cfg)
            load_safetensors(draft_path, old)
            grow(old, draft)
            print(f"grew draft {old_cfg} -> {draft_cfg}", flush=True)
        print(f"resumed from {args.resume}", flush=True)
    if args.freeze_target:
        target.requires_grad_(False)
        target.eval()
    if args.freeze_draft:
        draft.requires_grad_(False)
        draft.eval()
    opt_t = torch.optim.AdamW(target.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    opt_d = torch.optim.AdamW(draft.parameters(), lr=args.draft_lr, betas=(0.9, 0.95), weight_decay=0.1)
    g = torch.Generator().manual_seed(args.seed)
    budget = args.minutes * 60
    start = last_ckpt = time.time()
    step, seen, log = 0, 0, []
    warmup = args.warmup

    def lr_scale(frac):
        return min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))

    def checkpoint(tag):
        (lt, ld), agree = evaluate([target, draft], held, args.seq, held_starts, args.eval_batches)
        meta = dict(step=step, tokens=seen, seconds=round(time.time() - start), heldout_loss=None)
        save_safetensors(os.path.join(args.out, "target.safetensors"), target, {**meta, "heldout_loss": lt, **TARGET})
        save_safetensors(os.path.join(args.out, "draft.safetensors"), draft, {**meta, "heldout_loss": ld, **draft_cfg})
        entry = dict(tag=tag, step=step, tokens=seen, seconds=round(time.time() - start), target_loss=lt,
                     draft_loss=ld, argmax_agreement=agree)
        log.append(entry)
        with open(os.path.join(args.out, "log.json"), "w") as f:
            json.dump(dict(args=vars(args), target=TARGET, draft=draft_cfg, checkpoints=log), f, indent=1)
        print(f"checkpoint {entry}", flush=True)

    while True:
        elapsed = time.time() - start
        if elapsed >= budget:
            break
        scale = lr_scale(elapsed / budget)
        for o, base in ((opt_t, args.lr), (opt_d, args.draft_lr)):
            for pg in o.param_groups:
                pg["lr"] = base * scale
        x, y = batch(train, args.batch, args.seq, g, train_starts)
        w = fim_end_weights(x, y, args.fim_end_weight, args.fim_middle_id).view(-1)

        def weighted_ce(logits):
            # Sum over the window divided by its token count: the other tokens keep their usual gradient.
            return (F.cross_entropy(logits.view(-1, args.vocab), y.view(-1), reduction="none") * w).sum() / w.numel()

        with mixed_precision(), torch.set_grad_enabled(not args.freeze_target):
            lt_logits = target(x).float()
            loss_t = weighted_ce(lt_logits)
        opt_t.zero_grad(set_to_none=True)
        opt_d.zero_grad(set_to_none=True)
        if args.freeze_draft:
            # Only the target learns; the draft is skipped (its forward pass would cost ~20 % of a step).
            ce_d = kl_d = torch.zeros(())
            loss_t.backward()
        else:
            with mixed_precision():
                ld_logits = draft(x).float()
                ce_d = weighted_ce(ld_logits)
                kl_d = F.kl_div(F.log_softmax(ld_logits, -1).view(-1, args.vocab),
                                F.log_softmax(lt_logits.detach(), -1).view(-1, args.vocab),
                                log_target=True, reduction="batchmean")
                loss_d = (1 - args.distill) * ce_d + args.distill * kl_d
            (loss_d if args.freeze_target else loss_t + loss_d).backward()
        if not args.freeze_target:
            torch.nn.utils.clip_grad_norm_(target.parameters(), 1.0)
            opt_t.step()
        if not args.freeze_draft:
            torch.nn.utils.clip_grad_norm_(draft.parameters(), 1.0)
            opt_d.step()
        step += 1
        seen += x.numel()
        if step % 25 == 0:
            el = time.time() - start
            print(f"step {step} tokens {seen} loss_t {loss_t.item():.3f} ce_d {ce_d.item():.3f} kl {kl_d.item():.3f} "
                  f"lr {scale:.3f} {seen/el:.0f} tok/s {el/60:.1f} min", flush=True)
        if time.time() - last_ckpt >= args.checkpoint_minutes * 60:
            checkpoint("periodic")
            last_ckpt = time.time()
    checkpoint("final")


if __name__ == "__main__":
    main()
