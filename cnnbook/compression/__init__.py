"""Chapter 10 (模型压缩): measuring a model, and compressing LeNet in every way the chapter shows.

Built on chapter 9's ``cnnbook`` (MNIST, LeNet, the fast recipe, evaluation); nothing here
changes those modules.

* ``costs`` — parameters, size at a bit width, size of the saved file, MACs/FLOPs with the
  counter of chapter 2 (1 MAC = 2 FLOPs), compression ratio;
* ``latency`` — inference latency measured properly (warm-up, repeats, median and spread,
  thread count, ``torch.inference_mode``);
* ``fitting`` — the fast recipe's training loop for any network and loss (fine-tuning a pruned
  network, training a teacher or a student);
* ``stats`` — mean ± SD over seeds and the paired t-test every comparison uses;
* ``pruning`` — magnitude masks (global and per layer), gradual pruning, sensitivity scans, and
  channel pruning that builds a really smaller LeNet;
* ``lowrank`` — truncated-SVD factorisation of Linear layers;
* ``quantization`` — linear quantisation (scale, zero point, per tensor or per channel,
  symmetric or asymmetric) and weights at 2–8 bits;
* ``int8`` — int8 LeNets that store and compute with int8 tensors (``torch._int_mm``): dynamic
  activations, or static ones calibrated with min/max observers; each layer a pipeline of named
  steps, so every step can be timed;
* ``qat`` — quantisation-aware training with the straight-through estimator, binary weights;
* ``deep_compression`` — k-means weight sharing and Huffman coding into a real file;
* ``distillation`` — the soft-target loss with temperature;
* ``experiments`` — every number of the chapter from one command
  (``python -m cnnbook.compression.experiments --out DIR``, ``make compression``).
"""
