"""gunicorn settings for the pod: read-only root filesystem, only /tmp writable."""

import os

bind = f"{os.environ.get('BIND_ADDRESS', '0.0.0.0')}:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_tmp_dir = "/tmp"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Below Kubernetes' default 30 s termination grace period.
graceful_timeout = 20
# The control socket would be created under $HOME, which is read-only in the pod.
control_socket_disable = True
