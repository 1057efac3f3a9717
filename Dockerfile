# The Silsila API and loader image, used by docker-compose.yml.
FROM python:3.11-slim

WORKDIR /app
COPY requirements.lock ./
# PyICU (for followthemoney) is built from source against Debian's ICU.
RUN apt-get update && apt-get install -y --no-install-recommends libicu-dev pkg-config g++ \
    && pip install --no-cache-dir -r requirements.lock \
    && apt-get purge -y g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ontology ./ontology
COPY loaders ./loaders
COPY api ./api
COPY cli ./cli
COPY data ./data
RUN pip install --no-cache-dir --no-deps . \
    && useradd --system --home-dir /app silsila

USER silsila
ENV SILSILA_API_HOST=0.0.0.0 \
    SILSILA_DATA_DIR=/app/data/default \
    SILSILA_STATE_DIR=/tmp/silsila
EXPOSE 8000
CMD ["silsila", "serve"]
