"""Optuna's side of bench/tune-overhead.ts: the same loop (ask, four suggestions, one user attribute, tell) with the
same samplers, objectives and constraint, on Optuna's in-memory storage and on SQLite (RDBStorage). Prints one JSON
line per case and storage: wall-clock and CPU (process_time) milliseconds per trial."""
import json
import os
import re
import sys
import tempfile
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
# trials on memory, then on SQLite
n_trials = {"memory": int(sys.argv[1]) if len(sys.argv) > 1 else 300, "sqlite": int(sys.argv[2]) if len(sys.argv) > 2 else 100}
only = re.compile(sys.argv[sys.argv.index("--only") + 1]) if "--only" in sys.argv else None

CASES = [
    ("random", 1, "random", False),
    ("TPE", 1, "tpe", False),
    ("TPE + constraints", 1, "tpe", True),
    ("random", 2, "random", False),
    ("TPE (MOTPE)", 2, "tpe", False),
    ("TPE + constraints", 2, "tpe", True),
    ("NSGA-II", 2, "nsga2", False),
    ("NSGA-II + constraints", 2, "nsga2", True),
]


def constraints_func(t):
    return [t.user_attrs["c0"]]


def make_sampler(kind, constrained):
    cf = {"constraints_func": constraints_func} if constrained else {}
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=0)
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=0, **cf)
    return optuna.samplers.NSGAIISampler(seed=0, **cf)


def objective(objectives):
    def f(trial):
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        z = trial.suggest_float("z", 1e-3, 1, log=True)
        k = trial.suggest_categorical("k", ["a", "b", "c"])
        trial.set_user_attr("c0", x + y - 1)
        penalty = 0 if k == "a" else 0.1
        if objectives == 1:
            return (x - 0.3) ** 2 + (y - 0.7) ** 2 + z + penalty
        return [x + z + penalty, (1 - x) ** 2 + y + z]

    return f


def run(case, storage, count):
    name, objectives, kind, constrained = case
    study = optuna.create_study(storage=storage, directions=["minimize"] * objectives, sampler=make_sampler(kind, constrained))
    f = objective(objectives)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        trial = study.ask()
        study.tell(trial, f(trial))
    ms = (time.perf_counter() - t0) * 1000 / count
    cpu = (time.process_time() - c0) * 1000 / count
    trials = study.trials
    assert [t.number for t in trials] == list(range(count)), "trial numbers are not dense"
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    if constrained:
        assert all("constraints" in t.system_attrs for t in trials)
    return ms, cpu


with tempfile.TemporaryDirectory() as d:
    for storage_name in ["memory", "sqlite"]:
        for case in CASES:
            label = f"{case[0]}, {case[1]} objective{'s' if case[1] > 1 else ''}"
            if only and not only.search(label):
                continue
            url = None if storage_name == "memory" else f"sqlite:///{os.path.join(d, 'optuna.db')}"
            run(case, url, 20)
            ms, cpu = run(case, url, n_trials[storage_name])
            print(json.dumps({"case": label, "storage": storage_name, "msPerTrial": ms, "cpuMsPerTrial": cpu, "trials": n_trials[storage_name], "optuna": optuna.__version__}), flush=True)
