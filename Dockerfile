# laborlex image for docker-compose.yml (api, ui, ingest).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# CPU-only torch, same pin as scripts/setup.sh. The pin must exist among the CPU wheels at
# download.pytorch.org/whl/cpu; that index is used here only, for torch alone.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY laborlex laborlex
COPY laborlex_core laborlex_core
COPY ingest ingest
COPY search_api search_api
COPY ui ui
COPY corpus corpus
RUN pip install . && LABORLEX_DATA_DIR=/opt/laborlex laborlex model
ENV LABORLEX_MODEL_DIR=/opt/laborlex/models
EXPOSE 8000 8501
CMD ["laborlex", "serve", "--host", "0.0.0.0"]
