"""A Spark standalone cluster on loopback: one master and workers started with the
`spark-class` launcher that ships in the pyspark package, each in its own process group,
and the executor JVMs the workers launch for an application."""
import os
import signal
import socket
import subprocess
import time

import pyspark

SPARK_HOME = os.path.dirname(pyspark.__file__)
SPARK_CLASS = os.path.join(SPARK_HOME, "bin", "spark-class")
SPARK_SUBMIT = os.path.join(SPARK_HOME, "bin", "spark-submit")
EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_env():
    env = dict(os.environ, SPARK_HOME=SPARK_HOME, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("PYSPARK_GATEWAY_PORT", None)
    return env


def wait_for_port(port, timeout_s, what):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("%s did not listen on 127.0.0.1:%d within %d s" % (what, port, timeout_s))


def kill_group(process):
    """SIGKILL to the process group of `process` (a leader started with start_new_session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                # the field after the parenthesised command is state, then ppid
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            out.append(int(entry))
    return out


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Cluster:
    """`workers` workers of one core each; `add_worker`/`kill_worker` change the count."""

    def __init__(self, workdir, workers, worker_memory="1g"):
        self.workdir = workdir
        self.worker_memory = worker_memory
        self.port = free_port()
        self.url = "spark://127.0.0.1:%d" % self.port
        self.logs = os.path.join(workdir, "cluster-logs")
        os.makedirs(self.logs, exist_ok=True)  # also creates workdir
        self.master = self._launch(
            "master", "org.apache.spark.deploy.master.Master",
            ["--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(free_port())])
        wait_for_port(self.port, 60, "the Spark master")
        self.workers = []
        for _ in range(workers):
            self.add_worker()

    def _launch(self, name, main_class, args):
        log = open(os.path.join(self.logs, "%s-%d.log" % (name, time.time_ns())), "w")
        return subprocess.Popen(
            [SPARK_CLASS, main_class] + args, env=spark_env(), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def add_worker(self):
        index = len(self.workers)
        work = os.path.join(self.workdir, "worker-%d-%d" % (index, time.time_ns()))
        port = free_port()
        worker = self._launch(
            "worker", "org.apache.spark.deploy.worker.Worker",
            ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port()),
             "--cores", "1", "--memory", self.worker_memory, "--work-dir", work, self.url])
        wait_for_port(port, 60, "a Spark worker")
        self.workers.append(worker)
        return worker

    def resize(self, workers):
        """Adds or kills (newest first) workers until there are `workers`."""
        while len(self.workers) < workers:
            self.add_worker()
        while len(self.workers) > workers:
            self.kill_worker()

    def kill_worker(self):
        """kill -9 of the newest worker and the executors it launched."""
        worker = self.workers.pop()
        executors = self.executor_pids_of(worker)
        kill_group(worker)
        for pid in executors:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def executor_pids_of(self, worker):
        """Executor JVMs a worker launched: its children, or their children (the launch
        goes through bash on some builds)."""
        found = []
        frontier = _children(worker.pid)
        for _ in range(3):
            next_frontier = []
            for pid in frontier:
                if EXECUTOR_MAIN in _cmdline(pid):
                    found.append(pid)
                else:
                    next_frontier.extend(_children(pid))
            frontier = next_frontier
        return found

    def executor_pids(self):
        return [pid for w in self.workers for pid in self.executor_pids_of(w)]

    def stop(self):
        for w in self.workers:
            for pid in self.executor_pids_of(w):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            kill_group(w)
        kill_group(self.master)
