# The one image behind every process in docker-compose.yml: web (gunicorn), the Celery worker,
# Celery beat and the one-off migrate job. Only the command differs.
#
#   docker build -t housing-casework .
#   docker run --env-file .env -p 8000:8000 housing-casework        # web
#   docker run --env-file .env housing-casework celery -A config worker --loglevel INFO
#
# Configuration comes from the environment at run time (see .env.example); nothing secret is
# baked into the image.
# Stage 1: the stylesheet (GOV.UK Frontend compiled from Sass with our brand) and GOV.UK
# Frontend's script. Node is needed only to build them, so it stays out of the final image.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/src static/src
RUN npm run --silent build \
    && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/build/

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    VAR_DIR=/app/var \
    WEB_CONCURRENCY=3

# WeasyPrint's runtime libraries (Pango, and HarfBuzz's subsetter that newer WeasyPrint needs)
# and the fonts letters are set in, with Khmer's and Simplified Chinese's for letters and packs
# in those languages. Fonts that are not installed fall back silently, so they are installed
# here on purpose. libmagic1 tells uploaded documents' types from their content
# (docs/adr/0006).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation2 \
        fonts-khmeros \
        fonts-noto-cjk \
        libmagic1 \
    && rm -rf /var/lib/apt/lists/*

# The processes run as this unprivileged user; the code itself stays owned by root, so a
# compromised process cannot rewrite it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# requirements.txt is fully pinned by pip-compile (`make lock`); installed before the code is
# copied so that code changes reuse this layer.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
COPY --from=assets /build/static/build static/build

# Static files are collected into the image (/app/staticfiles, served by WhiteNoise). Production
# settings refuse to load without their required variables, so this one command gets harmless
# build-only values; they exist only for this RUN line and never reach the running containers.
# /app/var (beat's schedule) and /app/var/media (uploads, generated letters) belong to the app
# user so that named volumes mounted there start out writable.
RUN SECRET_KEY=build-only-not-a-secret-7Hq2xVn9Lk4pRt8sWz3bYc6dFg1jMa5eUo0iXw \
    FIELD_ENCRYPTION_SALT=build-only-not-a-secret-salt \
    DATABASE_URL=postgres://build@localhost/build \
    ALLOWED_HOSTS=localhost \
    CELERY_BROKER_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# No HEALTHCHECK here: the worker, beat and migrate containers use this image too and serve no
# HTTP, so an image-level probe of :8000 would mark them unhealthy. docker-compose.yml probes
# /healthz on the web service only.
#
# gunicorn reads the number of workers from WEB_CONCURRENCY (default above, override at run time).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
