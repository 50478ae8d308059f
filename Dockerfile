# EndCue: one image for the API server (`serve`) and analysis workers (`worker`).
# Not built or run in this project's CI (no Docker there): kept simple on purpose.
#   docker build -t endcue .                                        # CPU (wasm backend)
#   docker build -t endcue-gpu --build-arg BASE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 \
#     --build-arg TFJS_NODE=@tensorflow/tfjs-node-gpu@4.22.0 .       # GPU worker (see README)
ARG BASE=node:20-bookworm-slim
FROM ${BASE}

# The CUDA base has no Node: install it from the distribution when missing.
RUN if ! command -v node >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends ca-certificates curl gnupg nodejs npm \
      && rm -rf /var/lib/apt/lists/*; \
    fi

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# Optional native TensorFlow backend: @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu.
ARG TFJS_NODE=""
RUN if [ -n "$TFJS_NODE" ]; then npm install --no-save --no-audit --no-fund "$TFJS_NODE"; fi

COPY bin ./bin
COPY server ./server
COPY model/credits-classifier ./model/credits-classifier
COPY model/ocr ./model/ocr
COPY tsconfig.json ./

ENV ENDCUE_HOST=0.0.0.0 \
    ENDCUE_PORT=8080 \
    ENDCUE_DATA_DIR=/data \
    ENDCUE_MEDIA_ROOTS=/media \
    NODE_ENV=production
RUN (id node >/dev/null 2>&1 || useradd -m node) && mkdir -p /data && chown node /data
VOLUME ["/data"]
EXPOSE 8080
USER node
ENTRYPOINT ["node", "bin/endcue.mjs"]
CMD ["serve"]
