"""Optuna's side of the storage benchmark: the same loop as bench/storage.ts (ask, three suggestions, three reports,
tell) on Optuna's in-memory storage and on SQLite (RDBStorage). Prints one JSON line per storage."""
import json
import os
import sys
import tempfile
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def loop(storage):
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=0))
    start = time.perf_counter()
    for _ in range(n):
        trial = study.ask()
        x = trial.suggest_float("x", -10, 10)
        trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        trial.suggest_categorical("optimizer", ["adam", "sgd"])
        for step in range(3):
            trial.report(x + step, step)
        study.tell(trial, x * x)
    ms = (time.perf_counter() - start) * 1000 / n
    numbers = [t.number for t in study.trials]
    assert numbers == list(range(n)), "trial numbers are not dense"
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    return ms


with tempfile.TemporaryDirectory() as d:
    for name, storage in [("memory", None), ("sqlite", f"sqlite:///{os.path.join(d, 'optuna.db')}")]:
        print(json.dumps({"storage": name, "msPerTrial": loop(storage), "trials": n}))
