# One image for every nudge service; the command picks the service.
FROM node:20-bookworm-slim AS renderer
WORKDIR /src/desktop
COPY desktop/package.json desktop/package-lock.json ./
RUN ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci
COPY desktop/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY src/ src/
COPY migrations/ migrations/
RUN pip install --no-cache-dir -e .
COPY --from=renderer /src/desktop/dist desktop/dist
USER nobody
ENTRYPOINT ["nudge"]
CMD ["api"]
