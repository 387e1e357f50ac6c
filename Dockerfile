# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=syncportal.settings.production

RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 syncportal

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
# collectstatic and the .mo files need settings but no real secrets.
RUN DJANGO_SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=YnVpbGQtb25seS1rZXktbm90LXNlY3JldC0wMDAwMDA= \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=memory:// DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py compiletranslations && \
    DJANGO_SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=YnVpbGQtb25seS1rZXktbm90LXNlY3JldC0wMDAwMDA= \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=memory:// DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput && chown -R syncportal /app

USER syncportal
EXPOSE 8000
CMD ["gunicorn", "syncportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
