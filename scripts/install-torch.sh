#!/usr/bin/env bash
# Install PyTorch's CPU build into the given Python, without the multi-GB CUDA build that a
# plain `torch` requirement resolves to on Linux.
#   1. a torch wheel that pip finds without an index (a wheel folder in pip's find-links);
#   2. PyTorch's CPU-only wheel index, if it answers within a few seconds
#      (TORCH_INDEX_URL overrides it, e.g. with a mirror; TORCH_INDEX_URL= skips it);
#   3. the plain pin from the configured package index, with a warning.
set -euo pipefail
python=$1
version=${TORCH_VERSION:-2.13.0}
index=${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}

if "$python" -c "import importlib.metadata as m, sys; sys.exit(m.version('torch').split('+')[0] != '$version')" 2>/dev/null; then
    exit 0
fi
# torch alone from a wheel folder pip is configured with (no index, no network), then its
# small pure-Python dependencies from the usual index; the installed torch satisfies the pin.
if "$python" -m pip install -q --no-index --no-deps "torch==$version" 2>/dev/null; then
    "$python" -m pip install -q "torch==$version"
    echo "torch $version installed from a local wheel folder"
    exit 0
fi
if [ -n "$index" ] && "$python" - "$index" <<'PY'
import sys
import urllib.request

try:
    urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=5)
except Exception:
    sys.exit(1)
PY
then
    echo "torch $version (CPU build) from $index"
    "$python" -m pip install -q --index-url "$index" "torch==$version"
    exit 0
fi
echo "warning: no CPU-only torch wheel reachable; installing torch==$version from the package" \
     "index, which on Linux is the large CUDA build (set TORCH_INDEX_URL to a CPU wheel mirror)" >&2
"$python" -m pip install -q "torch==$version"
