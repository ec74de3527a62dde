# Market Edge: the API and the built UI in one image (Render, or any container host).
#   docker build -t marketedge . && docker run -p 8000:8000 --env-file .env marketedge
# Three stages: the UI built with Node, the Python environment built with uv, and a slim runtime that has
# neither compilers nor Node, running as an unprivileged user.

# --- 1. the UI -------------------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS ui
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# --- 2. the Python environment ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS python
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 UV_COMPILE_BYTECODE=1
WORKDIR /build
RUN python -m venv /opt/venv && /opt/venv/bin/pip install uv==0.13.9
COPY pyproject.toml constraints.txt README.md ./
COPY src/ ./src/
# The locked versions (constraints.txt), without the development extras.
RUN /opt/venv/bin/uv pip install --python /opt/venv/bin/python -c constraints.txt .

# --- 3. the runtime --------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MARKETEDGE_ENV=production \
    FRONTEND_DIST=/app/frontend/dist \
    LOG_FORMAT=json \
    PORT=8000
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --home-dir /app app
WORKDIR /app
COPY --from=python /opt/venv /opt/venv
COPY --from=ui /build/frontend/dist /app/frontend/dist
USER 10001:10001
EXPOSE 8000
# Liveness of the process (the platform's own check uses /health/ready: database, cache, scheduler, data age).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8000'), timeout=4)"]
# One uvicorn worker (512 MB: a second worker would double the caches), proxy headers believed only from
# TRUSTED_PROXIES (the security middleware), 30 s keep-alive; migrations run at start (`marketedge serve`).
CMD ["sh", "-c", "exec marketedge serve --host 0.0.0.0 --port \"${PORT}\""]
