#!/usr/bin/env python3
"""PyTorch side of bench/TrainingThroughput: the same three workloads as Workloads.cs, same shapes, batch size,
optimizer (Keras/PyTorch formulas agree for SGD and Adam up to epsilon), epochs and thread count; features are
precomputed tensors, so only the training loop (shuffle, index, forward, loss, backward, step) is timed.

Prints one line per workload: name, examples/s (median of the repeats), the repeats, final loss."""
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
only = set(sys.argv[3:])
torch.set_num_threads(threads)
torch.manual_seed(0)


def data(count, size, classes, group):
    labels = torch.randint(0, classes, (count,))
    shift = ((torch.arange(size).unsqueeze(0) // group) % classes == labels.unsqueeze(1)).float() * 0.5
    return torch.relu(torch.randn(count, size) + shift), labels


class GapHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(0.7)
        self.hidden = nn.Linear(64, 128)
        self.out = nn.Linear(128, 1)

    def forward(self, x):
        x = x.view(x.shape[0], 64, 49).mean(2)
        return self.out(torch.relu(self.hidden(self.dropout(x))))


def mlp():
    sizes = [784, 300, 100, 50, 50, 50]
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(50, 8))


WORKLOADS = [
    ("frozen_dense1", 12000, 16, lambda: nn.Linear(50, 1), (50, 2, 1), lambda p: torch.optim.SGD(p, lr=1e-2), 0.0),
    ("finetune_mlp_a", 12000, 2, mlp, (784, 8, 1), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), 0.0),
    ("notebook_head_conv", 12000, 4, GapHead, (64 * 49, 2, 49), lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7), 0.01),
]


def train(model, optimizer, x, y, epochs, binary, l2, batch=32):
    bce = nn.BCEWithLogitsLoss()
    ce = nn.CrossEntropyLoss()
    loss = None
    for _ in range(epochs):
        order = torch.randperm(x.shape[0])
        for start in range(0, x.shape[0], batch):
            index = order[start:start + batch]
            logits = model(x[index])
            loss = bce(logits.squeeze(1), y[index].float()) if binary else ce(logits, y[index])
            if l2:
                loss = loss + l2 * model.hidden.weight.pow(2).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return float(loss)


for name, count, epochs, build, (size, classes, group), make_optimizer, l2 in WORKLOADS:
    if only and name not in only:
        continue
    x, y = data(count, size, classes, group)
    warm = build()
    train(warm, make_optimizer(warm.parameters()), x, y, 1, classes == 2, l2)
    rates = []
    for _ in range(repeats):
        model = build()
        optimizer = make_optimizer(model.parameters())
        clock = time.perf_counter()
        loss = train(model, optimizer, x, y, epochs, classes == 2, l2)
        rates.append(count * epochs / (time.perf_counter() - clock))
    rates.sort()
    print(f"{name}\t{rates[len(rates) // 2]:.0f}\t{','.join(f'{r:.0f}' for r in rates)}\t{loss:.4f}", flush=True)
