# PyTorch as a peer in lrlab's benchmarks, on one thread (torch.set_num_threads(1)).
# Usage: python3 bench/torch_peer.py <dir>   reads <dir>/job.json (and the raw float32 files it names), prints JSON.
# Every case first checks agreement with lrlab on the inputs lrlab wrote (same weights, same data), then times.
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
directory = sys.argv[1]
job = json.load(open(os.path.join(directory, 'job.json')))


def load(name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(directory, name), dtype=np.float32).reshape(shape))


def warm_up(fn, seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        fn()


def median_ms(fn, rounds, reps):
    # CPU time of this process (one thread): what one core spent, on a machine others may share
    fn()
    times = []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(reps):
            fn()
        times.append((time.process_time() - t) / reps * 1000)
    return statistics.median(times), times


def mlp(params):
    """A ReLU MLP whose Linear layers take lrlab's weights and biases, in order."""
    layers = []
    for i in range(0, len(params), 2):
        w, b = params[i], params[i + 1]
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers += [lin, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def training(job):
    params = [load(p['file'], p['shape']) for p in job['params']]
    x, y = load('x.f32', job['x']), load('y.f32', job['y'])
    model = mlp(params)
    opt = torch.optim.Adam(model.parameters(), lr=job['lr'])
    n, bs = x.shape[0], job['batchSize']

    def epoch(order):
        total = 0.0
        for i in range(0, n, bs):
            idx = order[i:i + bs]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / n

    # agreement: the first epoch in order from lrlab's weights, the loss lrlab's fit reports
    check = epoch(torch.arange(n)) if job['check'] else None
    ms, samples = median_ms(lambda: epoch(torch.randperm(n)), job['rounds'], job['reps'])
    return {'checkLoss': check, 'ms': ms, 'samples': samples}


def matmul(job):
    a, b = load('a.f32', [job['check'], job['check']]), load('b.f32', [job['check'], job['check']])
    out = {'checkProduct': torch.mm(a, b).flatten().tolist(), 'sizes': []}
    for n in job['sizes']:
        a, b = torch.randn(n, n), torch.randn(n, n)
        reps = max(1, round(2e8 / (2 * n ** 3)))  # the same count as lrlab's CPU-time rows
        ms, _ = median_ms(lambda: torch.mm(a, b), job['rounds'], reps)
        out['sizes'].append({'n': n, 'gflops': 2 * n ** 3 / (ms / 1000) / 1e9})
    return out


def optimizers(job):
    # one turn of the optimizer rows: for each optimizer, its single-tensor and foreach paths from the same start
    # (lrlab's parameter and gradient), the first step's parameter for lrlab to check, then `rounds` timed rounds
    # of `reps` steps each, with CPU time (process_time) and wall time read around every round
    size = job['size']
    theta, grad = load('theta.f32', [size]), load('grad.f32', [size])
    out = {'rows': []}
    for name, options in job['optimizers'].items():
        for foreach in (False, True):
            p = torch.nn.Parameter(theta.clone())
            p.grad = grad.clone()
            opt = getattr(torch.optim, job['classes'][name])([p], foreach=foreach, **options)
            opt.step()
            first = p.detach()[:job['check']].tolist()
            # steps for a while first: the first rounds ran up to 20 times slower here (the allocator settling on
            # where the step's 4 MB temporaries go), which once made the median of 7 rounds a twentieth of the rest
            warm_up(opt.step, job['warmUp'])
            cpu, wall = [], []
            for _ in range(job['rounds']):
                c, w = time.process_time(), time.perf_counter()
                for _ in range(job['reps']):
                    opt.step()
                cpu.append((time.process_time() - c) / job['reps'] * 1000)
                wall.append((time.perf_counter() - w) / job['reps'] * 1000)
            out['rows'].append({'name': name, 'foreach': foreach, 'firstStep': first, 'cpuMs': cpu, 'wallMs': wall})
    return out


CASES = {'training': training, 'matmul': matmul, 'optimizers': optimizers}
result = CASES[job['case']](job)
result['torch'] = torch.__version__
result['numpy'] = np.__version__
result['threads'] = torch.get_num_threads()
print(json.dumps(result))
