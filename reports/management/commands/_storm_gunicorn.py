"""gunicorn config for `manage.py bench_storm --profile DIR`: one cProfile per worker and per
step, in CPU time (the load generator names the step in an X-Bench-Step header), dumped as
DIR/<step>-<pid>.prof when the worker exits. Read them with `python -m pstats`.

Loaded by gunicorn with `-c`; the directory comes in RONGHE_STORM_PROFILE_DIR.
"""

import cProfile
import os
import time

_profiles = {}
_active = {}


def _step(req):
    for name, value in req.headers:
        if name.upper() == "X-BENCH-STEP":
            return value
    return "other"


def pre_request(worker, req):
    step = _step(req)
    # CPU time, not wall time: waiting for a lock or the client costs the server nothing.
    profile = _profiles.get(step) or _profiles.setdefault(step, cProfile.Profile(time.process_time))
    _active[id(req)] = profile
    profile.enable()


def post_request(worker, req, environ, resp):
    profile = _active.pop(id(req), None)
    if profile is not None:
        profile.disable()


def worker_exit(server, worker):
    directory = os.environ["RONGHE_STORM_PROFILE_DIR"]
    for step, profile in _profiles.items():
        profile.dump_stats(os.path.join(directory, f"{step}-{os.getpid()}.prof"))
