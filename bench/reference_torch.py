#!/usr/bin/env python3
"""PyTorch reference for the lab's benchmarks: the same recipes, on the same machine, one thread
(or --threads N).

  reference_torch.py letters --fonts Font1,Font2 --seeds 5 --hidden 64-32 --lr 0.02 --activation tanh
      --max-epochs 20000 [--optimizer adam]
  reference_torch.py vae-mnist --samples 6400 --hidden 256 --latent 2 --batch 128 --lr 0.001
  reference_torch.py vae-quality --seed 1 --epochs 5 --samples 60000 [--init torch|glorot]
      [--shared DIR] [--adam-eps 1e-8] [--adam-eps-form torch|keras] [--test-samples 10000]
  reference_torch.py cvae-mnist --seed 1 --epochs 1 --samples 12800 --hidden 256 --latent 2
  reference_torch.py conv-vae-mnist --seed 1 --epochs 1 --samples 6000 --test-samples 1000
      --filters 32,64 --dense 16 --latent 2 --batch 128 --lr 0.001

Prints one JSON object per line, like `lab bench --json`. Reads the lab's own data files
(resources/datasets/fonts.json and the prepared MNIST IDX files).
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch

torch.set_num_threads(1)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def emit(obj):
    print(json.dumps(obj), flush=True)


def glyph_pixels(rows):
    return [(r >> c) & 1 for r in rows for c in (4, 3, 2, 1, 0)]


def activation(name):
    return {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "elu": torch.nn.ELU, "sigmoid": torch.nn.Sigmoid}[name]()


def letters(args):
    with open(os.path.join(ROOT, "resources/datasets/fonts.json")) as f:
        fonts = json.load(f)["fonts"]
    hidden = [int(h) for h in args.hidden.split("-") if h]
    # Warm up (allocator, kernels) untimed, as the lab's benchmark does.
    warm = torch.nn.Sequential(torch.nn.Linear(35, 8), torch.nn.Tanh(), torch.nn.Linear(8, 35))
    warm_opt = torch.optim.Adam(warm.parameters())
    for _ in range(30):
        warm_opt.zero_grad()
        torch.nn.functional.mse_loss(warm(torch.zeros(32, 35)), torch.zeros(32, 35)).backward()
        warm_opt.step()
    for font in args.fonts.split(","):
        x = torch.tensor([glyph_pixels(g["rows"]) for g in fonts[font]["glyphs"]], dtype=torch.float32)
        for seed in range(1, args.seeds + 1):
            torch.manual_seed(seed)
            sizes = [35] + hidden + [2]
            enc, dec = [], []
            for i in range(len(sizes) - 1):
                enc.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
                if i < len(sizes) - 2:
                    enc.append(activation(args.activation))
            back = sizes[::-1]
            for i in range(len(back) - 1):
                dec.append(torch.nn.Linear(back[i], back[i + 1]))
                if i < len(back) - 2:
                    dec.append(activation(args.activation))
            model = torch.nn.Sequential(*enc, *dec)
            for m in model:
                if isinstance(m, torch.nn.Linear):
                    torch.nn.init.xavier_uniform_(m.weight)
                    torch.nn.init.zeros_(m.bias)
            opt = torch.optim.Adam(model.parameters(), lr=args.lr, eps=1e-7)
            loss_fn = torch.nn.BCEWithLogitsLoss()
            start = time.perf_counter()
            solved_at = None
            for epoch in range(args.max_epochs + 1):
                opt.zero_grad()
                logits = model(x)
                with torch.no_grad():
                    wrong = ((logits >= 0).float() != x).sum(dim=1).max().item()
                if wrong <= 1:
                    solved_at = epoch
                    break
                loss = loss_fn(logits, x)
                loss.backward()
                opt.step()
            seconds = time.perf_counter() - start
            emit({"case": "letters", "engine": "pytorch", "font": font, "seed": seed,
                  "solved": solved_at is not None, "epochs": solved_at if solved_at is not None else args.max_epochs,
                  "seconds": seconds})


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def vae_mnist(args):
    dims, raw = read_idx(os.path.join(ROOT, "resources/datasets/mnist/train-images-idx3-ubyte"))
    n = min(args.samples, dims[0])
    x = torch.frombuffer(bytearray(raw[: n * 784]), dtype=torch.uint8).float().view(n, 784) / 255.0
    torch.manual_seed(1)
    hidden = [int(h) for h in args.hidden.split("-") if h]
    sizes = [784] + hidden
    enc = []
    for i in range(len(sizes) - 1):
        enc += [torch.nn.Linear(sizes[i], sizes[i + 1]), torch.nn.ReLU()]
    enc = torch.nn.Sequential(*enc)
    head = torch.nn.Linear(sizes[-1], 2 * args.latent)
    back = [args.latent] + hidden[::-1]
    dec = []
    for i in range(len(back) - 1):
        dec += [torch.nn.Linear(back[i], back[i + 1]), torch.nn.ReLU()]
    dec += [torch.nn.Linear(back[-1], 784)]
    dec = torch.nn.Sequential(*dec)
    params = list(enc.parameters()) + list(head.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=args.lr)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")

    def epoch_pass():
        perm = torch.randperm(n)
        for i in range(0, n - args.batch + 1, args.batch):
            xb = x[perm[i:i + args.batch]]
            stats = head(enc(xb))
            mu, logvar = stats[:, : args.latent], stats[:, args.latent:]
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            rec = bce(dec(z), xb) / xb.shape[0]
            kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / xb.shape[0]
            loss = rec + kl
            opt.zero_grad()
            loss.backward()
            opt.step()
        return rec.item(), kl.item()

    epoch_pass()  # warm-up
    start = time.perf_counter()
    rec, kl = epoch_pass()
    seconds = time.perf_counter() - start
    used = (n // args.batch) * args.batch
    emit({"case": "vae-mnist", "engine": "pytorch", "samples": used, "seconds": seconds,
          "samplesPerSecond": used / seconds, "reconstruction": rec, "kl": kl})


def read_f32(path):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32)


def vae_quality(args):
    """Trains the VAE on the recipe (Adam, batch, epochs over the first --samples training
    images) and reports the test set's negative ELBO per image (BCE summed over pixels + KL, one
    z drawn per image), as the lab's `bench vae-quality` does. --init glorot swaps PyTorch's
    default Linear initialisation for Glorot-uniform weights and zero biases (for comparison).
    --shared DIR takes the lab's own draws (written by `bench vae-quality --same-start`): its
    initial weights, each epoch's order of the images and the reparameterisation noise, in
    training and on the test set. --adam-eps-form keras adds Adam's epsilon to sqrt(v) before
    the bias correction (the lab's and Keras's form; PyTorch adds it after), for comparison."""
    dims, raw = read_idx(os.path.join(ROOT, "resources/datasets/mnist/train-images-idx3-ubyte"))
    n = min(args.samples, dims[0])
    x = torch.frombuffer(bytearray(raw[: n * 784]), dtype=torch.uint8).float().view(n, 784) / 255.0
    tdims, traw = read_idx(os.path.join(ROOT, "resources/datasets/mnist/t10k-images-idx3-ubyte"))
    tn = min(args.test_samples, tdims[0])
    xt = torch.frombuffer(bytearray(traw[: tn * 784]), dtype=torch.uint8).float().view(tn, 784) / 255.0
    torch.manual_seed(args.seed)
    hidden = [int(h) for h in args.hidden.split("-") if h]
    sizes = [784] + hidden + [2 * args.latent]
    enc = []
    for i in range(len(sizes) - 1):
        enc.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            enc.append(torch.nn.ReLU())
    back = [args.latent] + hidden[::-1] + [784]
    dec = []
    for i in range(len(back) - 1):
        dec.append(torch.nn.Linear(back[i], back[i + 1]))
        if i < len(back) - 2:
            dec.append(torch.nn.ReLU())
    enc, dec = torch.nn.Sequential(*enc), torch.nn.Sequential(*dec)
    linears = [m for m in list(enc) + list(dec) if isinstance(m, torch.nn.Linear)]
    if args.init == "glorot":
        for m in linears:
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    shared = None
    if args.shared:
        # The lab's flat layout: per layer the kernel (inputs x outputs), then the bias.
        params = read_f32(os.path.join(args.shared, "params.f32"))
        at = 0
        with torch.no_grad():
            for m in linears:
                fan_out, fan_in = m.weight.shape
                m.weight.copy_(params[at:at + fan_in * fan_out].view(fan_in, fan_out).t())
                at += fan_in * fan_out
                m.bias.copy_(params[at:at + fan_out])
                at += fan_out
        if at != params.numel():
            raise SystemExit(f"--shared: {params.numel()} parameters, the model has {at}")
        with open(os.path.join(args.shared, "order.u32"), "rb") as f:
            order = torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long().view(args.epochs, n)
        batches = n // args.batch
        noise = read_f32(os.path.join(args.shared, "noise.f32")).view(args.epochs, batches, args.batch, args.latent)
        test_noise = read_f32(os.path.join(args.shared, "test-noise.f32")).view(-1, args.latent)
        shared = (order, noise, test_noise)
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=args.lr, eps=args.adam_eps)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")

    def losses(xb, eps=None):
        stats = enc(xb)
        mu, logvar = stats[:, : args.latent], stats[:, args.latent:]
        draw = torch.randn_like(mu) if eps is None else eps
        z = mu + torch.exp(0.5 * logvar) * draw
        rec = bce(dec(z), xb) / xb.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / xb.shape[0]
        return rec, kl

    start = time.perf_counter()
    epoch_losses = []
    step = 0
    for e in range(args.epochs):
        perm = shared[0][e] if shared else torch.randperm(n)
        total = 0.0
        for b, i in enumerate(range(0, n - args.batch + 1, args.batch)):
            rec, kl = losses(x[perm[i:i + args.batch]], shared[1][e, b] if shared else None)
            opt.zero_grad()
            (rec + kl).backward()
            step += 1
            if args.adam_eps_form == "keras":
                # epsilon on sqrt(v) before the bias correction = epsilon / sqrt(1 - beta2^t) after it
                opt.param_groups[0]["eps"] = args.adam_eps / math.sqrt(1 - 0.999 ** step)
            opt.step()
            total += rec.item() + kl.item()
        epoch_losses.append(total / (n // args.batch))
    seconds = time.perf_counter() - start
    with torch.no_grad():
        rec, kl = 0.0, 0.0
        for i in range(0, xt.shape[0], 500):
            r, k = losses(xt[i:i + 500], shared[2][i:i + 500] if shared else None)
            rec += r.item() * 500
            kl += k.item() * 500
        rec, kl = rec / xt.shape[0], kl / xt.shape[0]
    emit({"case": "vae-quality", "engine": "pytorch", "seed": args.seed, "init": "lab" if shared else args.init,
          "epochs": args.epochs, "samples": n, "seconds": seconds, "trainLosses": epoch_losses,
          "adamEps": args.adam_eps, "adamEpsForm": args.adam_eps_form,
          "testReconstruction": rec, "testKl": kl, "testLoss": rec + kl})


def cvae_mnist(args):
    """The conditional VAE of the lab's `bench cvae-mnist`: the dense VAE with the class one-hot
    concatenated to the encoder's input (784 + 10) and to the decoder's (latent + 10), PyTorch's
    default Linear initialisation, Adam, BCE summed over pixels + KL; trained --epochs over the
    first --samples MNIST training images; training samples/s and the test negative ELBO per
    image (one z drawn per image, each test image with its own class)."""
    def load(images, labels, count=None):
        dims, raw = read_idx(os.path.join(ROOT, "resources/datasets/mnist", images))
        n = dims[0] if count is None else min(count, dims[0])
        x = torch.frombuffer(bytearray(raw[: n * 784]), dtype=torch.uint8).float().view(n, 784) / 255.0
        _, lraw = read_idx(os.path.join(ROOT, "resources/datasets/mnist", labels))
        y = torch.nn.functional.one_hot(torch.frombuffer(bytearray(lraw[:n]), dtype=torch.uint8).long(), 10).float()
        return x, y
    x, y = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte", args.samples)
    xt, yt = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    n = x.shape[0]
    torch.manual_seed(args.seed)
    hidden = [int(h) for h in args.hidden.split("-") if h]

    def mlp(sizes):
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        return torch.nn.Sequential(*layers)
    enc = mlp([784 + 10] + hidden + [2 * args.latent])
    dec = mlp([args.latent + 10] + hidden[::-1] + [784])
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=args.lr, eps=1e-7)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")

    def losses(xb, yb):
        stats = enc(torch.cat([xb, yb], 1))
        mu, logvar = stats[:, : args.latent], stats[:, args.latent:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        rec = bce(dec(torch.cat([z, yb], 1)), xb) / xb.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / xb.shape[0]
        return rec, kl

    start = time.perf_counter()
    for _ in range(args.epochs):
        perm = torch.randperm(n)
        for i in range(0, n - args.batch + 1, args.batch):
            idx = perm[i:i + args.batch]
            rec, kl = losses(x[idx], y[idx])
            opt.zero_grad()
            (rec + kl).backward()
            opt.step()
    seconds = time.perf_counter() - start
    used = (n // args.batch) * args.batch * args.epochs
    with torch.no_grad():
        rec, kl = 0.0, 0.0
        for i in range(0, xt.shape[0], 500):
            r, k = losses(xt[i:i + 500], yt[i:i + 500])
            rec += r.item() * 500
            kl += k.item() * 500
        rec, kl = rec / xt.shape[0], kl / xt.shape[0]
    emit({"case": "cvae-mnist", "engine": "pytorch", "seed": args.seed, "epochs": args.epochs,
          "samples": n, "seconds": seconds, "samplesPerSecond": used / seconds,
          "testReconstruction": rec, "testKl": kl, "testLoss": rec + kl})


def conv_vae_mnist(args):
    """The convolutional VAE of the lab's `bench conv-vae-mnist` (src/ml/conv-vae.ts, the Keras
    example's): conv --filters (3x3, stride 2, 'same', ReLU), flatten, dense --dense (ReLU), dense
    to mean and log-variance; the decoder: dense to the inner volume (ReLU), transposed convs back
    (3x3, stride 2, 'same', ReLU), a transposed conv (3x3, stride 1) to the image's channel as
    logits. TensorFlow's 'same' padding with stride 2 pads only after (bottom, right), which
    PyTorch's symmetric padding does not: the convs pad explicitly and the transposed convs crop
    the trailing row and column, so each layer computes what the tfjs layer computes (NCHW
    instead of NHWC: the flattened features come in another order, which independent random
    weights do not see). Glorot-uniform weights and zero biases (tfjs-layers' and Keras's
    defaults), Adam (PyTorch's), BCE summed over pixels + KL, each averaged over the batch;
    trained --epochs over the first --samples MNIST training images; training samples/s and the
    test negative ELBO per image over the first --test-samples test images (batches of 500, the
    last partial batch dropped, one z per image), as the lab computes it."""
    nn = torch.nn
    F = torch.nn.functional

    def load(images, count):
        dims, raw = read_idx(os.path.join(ROOT, "resources/datasets/mnist", images))
        n = min(count, dims[0])
        return torch.frombuffer(bytearray(raw[: n * 784]), dtype=torch.uint8).float().view(n, 1, 28, 28) / 255.0
    x = load("train-images-idx3-ubyte", args.samples)
    xt = load("t10k-images-idx3-ubyte", args.test_samples)
    n = x.shape[0]
    torch.manual_seed(args.seed)
    filters = [int(f) for f in args.filters.split(",") if f]
    side = 28 // 2 ** len(filters)

    class SameConv(nn.Module):
        """TensorFlow's 'same' 3x3 stride-2 conv on an even side: pad 0 before, 1 after."""
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, stride=2)

        def forward(self, t):
            return self.conv(F.pad(t, (0, 1, 0, 1)))

    class SameDeconv(nn.Module):
        """TensorFlow's 'same' 3x3 stride-2 transposed conv: the full output without its last row
        and column (the adjoint of SameConv)."""
        def __init__(self, cin, cout):
            super().__init__()
            self.deconv = nn.ConvTranspose2d(cin, cout, 3, stride=2)

        def forward(self, t):
            out = self.deconv(t)
            return out[:, :, : 2 * t.shape[2], : 2 * t.shape[3]]

    enc_layers, cin = [], 1
    for f in filters:
        enc_layers += [SameConv(cin, f), nn.ReLU()]
        cin = f
    enc = nn.Sequential(*enc_layers, nn.Flatten(), nn.Linear(side * side * cin, args.dense), nn.ReLU(),
                        nn.Linear(args.dense, 2 * args.latent))
    rev = filters[::-1]
    dec_layers = [nn.Linear(args.latent, side * side * rev[0]), nn.ReLU(), nn.Unflatten(1, (rev[0], side, side))]
    cin = rev[0]
    for f in rev:
        dec_layers += [SameDeconv(cin, f), nn.ReLU()]
        cin = f
    dec = nn.Sequential(*dec_layers, nn.ConvTranspose2d(cin, 1, 3, stride=1, padding=1))
    for m in list(enc.modules()) + list(dec.modules()):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=args.lr)
    bce = nn.BCEWithLogitsLoss(reduction="sum")

    def losses(xb):
        stats = enc(xb)
        mu, logvar = stats[:, : args.latent], stats[:, args.latent:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        rec = bce(dec(z), xb) / xb.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / xb.shape[0]
        return rec, kl

    batch = min(args.batch, n)
    epoch_losses = []
    start = time.perf_counter()
    for _ in range(args.epochs):
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n - batch + 1, batch):
            rec, kl = losses(x[perm[i:i + batch]])
            opt.zero_grad()
            (rec + kl).backward()
            opt.step()
            total += (rec + kl).item()
        epoch_losses.append(total / (n // batch))
    seconds = time.perf_counter() - start
    used = (n // batch) * batch * args.epochs
    with torch.no_grad():
        tb = min(500, xt.shape[0])
        rec, kl, seen = 0.0, 0.0, 0
        for i in range(0, xt.shape[0] - tb + 1, tb):
            r, k = losses(xt[i:i + tb])
            rec += r.item() * tb
            kl += k.item() * tb
            seen += tb
        rec, kl = rec / seen, kl / seen
    emit({"case": "conv-vae-mnist", "engine": "pytorch", "seed": args.seed, "epochs": args.epochs,
          "samples": n, "testSamples": seen, "seconds": seconds, "samplesPerSecond": used / seconds,
          "trainLosses": epoch_losses, "testReconstruction": rec, "testKl": kl, "testLoss": rec + kl})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["letters", "vae-mnist", "vae-quality", "cvae-mnist", "conv-vae-mnist"])
    parser.add_argument("--fonts", default="Font1,Font2,Font3")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--hidden", default="25-15-10")
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--max-epochs", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--latent", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--init", choices=["torch", "glorot"], default="torch")
    parser.add_argument("--shared", default=None)
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--adam-eps", type=float, default=1e-8)
    parser.add_argument("--filters", default="32,64")
    parser.add_argument("--dense", type=int, default=16)
    parser.add_argument("--adam-eps-form", choices=["torch", "keras"], default="torch")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    {"letters": letters, "vae-mnist": vae_mnist, "vae-quality": vae_quality,
     "cvae-mnist": cvae_mnist, "conv-vae-mnist": conv_vae_mnist}[args.case](args)


if __name__ == "__main__":
    sys.exit(main())
