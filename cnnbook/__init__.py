"""The book's companion code for chapter 9 (在 MNIST 上训练 LeNet) and the chapters built on it.

Pages show short, self-contained snippets; the commands, benchmarks, figures and tests use this
package instead, and the tests check that the two stay equivalent.

* ``cnnbook.data`` — MNIST through torchvision (``download=True`` into a data directory), and the
  fast path: the idx files read directly (no torchvision), the whole set decoded once into
  normalised tensors, served as shuffled mini-batches;
* ``cnnbook.model`` — the LeNet of the chapter (28×28 input, 44,426 parameters);
* ``cnnbook.training`` — the two training recipes (textbook and fast), evaluation, devices;
* ``cnnbook.checkpoint`` — saving a ``state_dict`` and loading it back with validation;
* ``cnnbook.digits`` — turning any image file into a 28×28 MNIST-style digit;
* ``cnnbook.errors`` — the one exception type every command reports as a single line;
* ``cnnbook.export_web`` — the trained LeNet as a small file for the page's in-browser demo;
* ``cnnbook.ablation`` and ``cnnbook.overfitting`` — the chapter's multi-seed experiments;
* commands: ``python -m cnnbook.train``, ``python -m cnnbook.predict``, ``python -m
  cnnbook.ablation``, ``python -m cnnbook.overfitting`` and ``python -m cnnbook.export_web``
  (``cnnbook.cli``: one-line errors).
"""
