"""gunicorn in production: `gunicorn -c gunicorn.conf.py wsgi:app`, behind nginx (deploy/nginx.conf).

Instances keep no state of their own (sessions are signed cookies checked against the database, limits live in
Redis), so as many as the machines allow run side by side."""

import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Sync workers: each request is short and the database does the waiting; 2 per core plus one.
workers = int(os.environ.get("PORTAL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("PORTAL_WORKER_CLASS", "sync")
# With worker_class "gthread", each worker serves this many requests at once (one waits on PostgreSQL while
# another renders).
threads = int(os.environ.get("PORTAL_THREADS", 1))
timeout = 30
graceful_timeout = 30
keepalive = 2
# Recycle workers now and then, so that no slow leak can grow for ever; but seldom: a worker's start costs a
# core for a second or two (the app's imports) while the others wait.
max_requests = 100_000
max_requests_jitter = 10_000
# The app logs every request as a JSON line with its request id; gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
