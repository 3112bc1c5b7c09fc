"""Every number of chapter 10, from one command::

    python -m cnnbook.compression.experiments --out DIR [--quick] [--data DIR] [--no-download]

For each seed (0–4) it trains chapter 9's LeNet with the fast recipe once, and then compresses
that network in every way the chapter shows, on the real MNIST files:

* ``fine_grained`` — magnitude pruning without retraining (global and per layer), per-layer
  sensitivity, recovery by one epoch of fine-tuning (pruned at once, or gradually);
* ``channels`` — channel pruning to narrower LeNets, before and after fine-tuning;
* ``quantize`` — weights at 8 … 2 bits in four schemes; dynamic int8; static int8 with
  calibration (post-training quantisation);
* ``low_bit`` — quantisation-aware training against post-training quantisation at 4 and 2 bits,
  and binary weights;
* ``lowrank`` — truncated-SVD factorisation of fc1 and fc2;
* ``lottery`` — a one-shot lottery ticket against a random re-initialisation;
* ``deep`` — Deep Compression (pruning → k-means weight sharing → Huffman coding), file size;
* ``distill`` — a teacher and students with and without distillation, two data regimes;
* ``comparison`` — the rows of the chapter's final table.

Every result is stored per seed with its mean and standard deviation; comparisons carry a paired
t-test over the seeds (``cnnbook.compression.stats``). Choices are made on validation images only.

The output directory is always given: ``--out DIR`` receives ``experiments.json`` and the
Markdown tables the pages include (``make compression`` passes ``snippets/compression/results``,
where the pages read them). ``--quick`` runs the subset the tests re-run (one seed, fewer
configurations, the same code). Everything runs on one thread (``--threads``): another thread
count may add floating-point numbers in another order and so train a slightly different network.
Latency is not measured here: ``benchmarks/compression_table.py`` times the same architectures.
"""

from cnnbook.compression.experiments.common import FULL, QUICK, Log, Settings
from cnnbook.compression.experiments.runner import (
    RESULTS_FILE,
    load_results,
    run,
    write_results,
)
from cnnbook.compression.experiments.tables import TABLES

__all__ = [
    "FULL",
    "QUICK",
    "RESULTS_FILE",
    "TABLES",
    "Log",
    "Settings",
    "load_results",
    "run",
    "write_results",
]
