# lac in production mode: `docker compose up` (docker-compose.yml) runs it with PostgreSQL.
# Built from the repository with the pinned versions of constraints.txt; runs as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY lac lac
COPY core core
COPY db db
COPY resolvers resolvers
COPY schema schema
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir --no-index --find-links /wheels -c /tmp/constraints.txt lac \
    && rm -rf /wheels /tmp/constraints.txt \
    && useradd --system --uid 10001 --home-dir /srv/lac --create-home lac
USER lac
WORKDIR /srv/lac
ENV LAC_ENV=production \
    LAC_HOST=0.0.0.0 \
    LAC_PORT=8000 \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['LAC_PORT']}/healthz\", timeout=2)"]
# migrate (a no-op when up to date), then serve; LAC_WORKERS processes (metrics add up across them)
CMD ["sh", "-c", "lac db upgrade && exec lac serve --workers \"${LAC_WORKERS:-2}\""]
