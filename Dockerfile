# Sector Facts API: docker build -t sectorfacts . && docker run -p 8000:8000 -v sectorfacts-data:/data sectorfacts
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY seed ./seed
COPY migrations ./migrations
RUN python -m venv /opt/sectorfacts \
 && /opt/sectorfacts/bin/pip install --no-cache-dir --disable-pip-version-check -c constraints.txt ".[postgres]"

FROM python:3.11-slim
RUN groupadd --system --gid 10001 sectorfacts \
 && useradd --system --uid 10001 --gid sectorfacts --home-dir /nonexistent --shell /usr/sbin/nologin sectorfacts \
 && mkdir /data \
 && chown sectorfacts:sectorfacts /data
COPY --from=build /opt/sectorfacts /opt/sectorfacts
ENV PATH="/opt/sectorfacts/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SECTORFACTS_DATABASE_URL=sqlite:////data/sectorfacts.db
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
CMD ["sectorfacts", "serve", "--host", "0.0.0.0", "--port", "8000"]
