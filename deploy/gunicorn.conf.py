"""gunicorn for the portal: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (the systemd unit does)."""
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")  # nginx in front (deploy/nginx-portal.conf)
workers = int(os.environ.get("PORTAL_WEB_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("PORTAL_WEB_THREADS", 4))
worker_class = "gthread"
timeout = 60                 # WeasyPrint proofs and statements take a few seconds at most
graceful_timeout = 30        # a stopping server finishes what it started
keepalive = 5
max_requests = 2000          # recycle workers now and then
max_requests_jitter = 200
accesslog = None             # the portal logs each request itself, as JSON with its request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("PORTAL_TRUSTED_PROXIES", "127.0.0.1")
