"""Optuna 3.1's side of the RDB interoperability tests (test/tune/optuna-rdb.test.ts, optuna-mixed-workers.test.ts).

Usage: optuna_worker.py COMMAND STORAGE_URL STUDY [ARGS]
  dump     print the study as Optuna reads it (load_study): one JSON object, non-finite numbers as Python writes them
  create   create STUDY (and STUDY-mo, two objectives) with trials in every state and every kind of value
  work N SEED   run N trials of a cheap objective on STUDY (RandomSampler(SEED)); one JSON line per finished trial
  die      start a trial on STUDY with heartbeats on, record one heartbeat and exit without finishing it
  retry N  fail STUDY's stale trials (heartbeat_interval=1, grace_period=1, RetryFailedTrialCallback(max_retry=1))
           and run N trials, which take the retries first
"""
import json
import math
import os
import sys
import time

import optuna
from optuna.storages import RDBStorage, RetryFailedTrialCallback

optuna.logging.set_verbosity(optuna.logging.WARNING)


def dist(d):
    """A distribution in lrlab's shape, so that the test compares it with lrlab's directly."""
    if isinstance(d, optuna.distributions.FloatDistribution):
        return {"type": "float", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    if isinstance(d, optuna.distributions.IntDistribution):
        return {"type": "int", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    return {"type": "categorical", "choices": list(d.choices)}


def stamp(dt):
    # milliseconds: lrlab keeps a JavaScript Date
    return None if dt is None else dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (dt.microsecond // 1000)


def dump(url, name):
    study = optuna.load_study(study_name=name, storage=url)
    trials = [
        {
            "number": t.number,
            "state": t.state.name.lower(),
            "values": t.values,
            "params": t.params,
            "distributions": {k: dist(d) for k, d in t.distributions.items()},
            "intermediateValues": sorted([s, v] for s, v in t.intermediate_values.items()),
            "userAttrs": t.user_attrs,
            "systemAttrs": t.system_attrs,
            "datetimeStart": stamp(t.datetime_start),
            "datetimeComplete": stamp(t.datetime_complete),
        }
        for t in study.trials
    ]
    single = len(study.directions) == 1
    best = study.best_value if single and any(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials) else None
    print(json.dumps({
        "directions": [d.name.lower() for d in study.directions],
        "userAttrs": study.user_attrs,
        "bestValue": best,
        "trials": trials,
    }))


def create(url, name):
    study = optuna.create_study(study_name=name, storage=url, direction="minimize")
    study.set_user_attr("owner", {"who": "python", "limits": [0.5, math.inf]})
    t = study.ask()
    t.suggest_float("x", -1, 1)
    t.suggest_float("lr", 1e-5, 1e-1, log=True)
    t.suggest_float("q", 0, 1, step=0.25)
    t.suggest_int("n", 1, 9, step=2)
    t.suggest_int("m", 1, 64, log=True)
    t.suggest_categorical("c", [None, True, 1.5, "a", math.inf])
    t.report(math.nan, 0)
    t.report(math.inf, 1)
    t.report(-math.inf, 2)
    t.report(0.25, 3)
    t.set_user_attr("note", {"nested": [1, "x", -math.inf]})
    study.tell(t, 0.125)
    t = study.ask()
    t.suggest_float("x", -1, 1)
    t.report(2.0, 0)
    study.tell(t, state=optuna.trial.TrialState.PRUNED)
    t = study.ask()
    t.suggest_float("x", -1, 1)
    study.tell(t, state=optuna.trial.TrialState.FAIL)
    t = study.ask()
    t.suggest_float("x", -1, 1)
    study.tell(t, math.inf)
    study.enqueue_trial({"x": 0.5})
    mo = optuna.create_study(study_name=name + "-mo", storage=url, directions=["minimize", "maximize"])
    t = mo.ask()
    t.suggest_float("x", -1, 1)
    t.set_system_attr("constraints", [0.5, -1.0])
    mo.tell(t, [1.5, math.inf])
    t = mo.ask()
    mo.tell(t, [-math.inf, 2.0])


def work(url, name, n, seed):
    study = optuna.load_study(study_name=name, storage=url, sampler=optuna.samplers.RandomSampler(seed=seed))

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        k = trial.suggest_int("k", 0, 5)
        trial.set_user_attr("worker", "python")
        time.sleep(0.002)
        return x * x + k

    def log(study, trial):
        print(json.dumps({"number": trial.number, "state": trial.state.name.lower(), "params": trial.params, "value": trial.value}), flush=True)

    study.optimize(objective, n_trials=n, callbacks=[log])


def die(url, name):
    storage = RDBStorage(url, heartbeat_interval=1, grace_period=1)
    study = optuna.load_study(study_name=name, storage=storage)
    trial = study.ask()
    x = trial.suggest_float("x", -10, 10)
    storage.record_heartbeat(trial._trial_id)
    print(json.dumps({"number": trial.number, "x": x}), flush=True)
    os._exit(0)  # a worker that dies: no tell, no more heartbeats


def retry(url, name, n):
    storage = RDBStorage(url, heartbeat_interval=1, grace_period=1, failed_trial_callback=RetryFailedTrialCallback(max_retry=1))
    study = optuna.load_study(study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler(seed=0))

    def objective(trial):
        trial.set_user_attr("worker", "python")
        return trial.suggest_float("x", -10, 10) ** 2

    study.optimize(objective, n_trials=n)


if __name__ == "__main__":
    command, url, name = sys.argv[1:4]
    rest = sys.argv[4:]
    if command == "dump":
        dump(url, name)
    elif command == "create":
        create(url, name)
    elif command == "work":
        work(url, name, int(rest[0]), int(rest[1]))
    elif command == "die":
        die(url, name)
    elif command == "retry":
        retry(url, name, int(rest[0]))
    else:
        sys.exit("optuna_worker.py: unknown command " + command)
