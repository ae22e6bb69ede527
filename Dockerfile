# tolk: the CLI, the API (`tolk serve`) and the agent (`tolk agent run`) in one image, Apertium included.
# Build: docker build -t tolk .      Run: see deploy/compose.yaml and docs/deploy.md

# --- build: wheels for tolk and its dependencies (the pins in constraints.txt) ---------------------------
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt '.[postgres,mysql,redis,rabbitmq]'

# --- run: Debian's Apertium, the wheels, a user without privileges ---------------------------------------
FROM python:3.11-slim
# the distribution's current Apertium: its versions move with the base image, pinning them would break builds
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends apertium apertium-eng-spa \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
# exactly the wheels built above (pinned by constraints.txt), nothing from the network
RUN pip install --no-cache-dir --no-index /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 tolk
USER 10001
WORKDIR /home/tolk
ENV PYTHONUNBUFFERED=1 TOLK_CONFIG=/etc/tolk/tolk.toml
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["tolk"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
