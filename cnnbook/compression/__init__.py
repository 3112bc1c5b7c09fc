"""Chapter 10 (模型压缩): measuring a model, and pruning, quantising and distilling LeNet.

Built on chapter 9's ``cnnbook`` (MNIST, LeNet, the fast recipe, evaluation); nothing here
changes those modules.

* ``cnnbook.compression.costs`` — parameters, size at a bit width, size of the saved file,
  MACs/FLOPs with the counter of chapter 2 (1 MAC = 2 FLOPs), compression ratio;
* ``cnnbook.compression.latency`` — inference latency measured properly (warm-up, repeats,
  median and spread, thread count, ``torch.inference_mode``);
* ``cnnbook.compression.fitting`` — the fast recipe's training loop for any network and loss
  (fine-tuning a pruned network, training a teacher or a student);
* ``cnnbook.compression.pruning`` — magnitude masks (global and per layer), sensitivity scans,
  and channel pruning that builds a really smaller LeNet;
* ``cnnbook.compression.quantization`` — linear quantisation (scale, zero point, per tensor or
  per channel, symmetric or asymmetric), weight quantisation to 2–8 bits, and an int8 LeNet
  whose matrix products run on int8 tensors, saved as an int8 file;
* ``cnnbook.compression.distillation`` — the soft-target loss with temperature;
* ``cnnbook.compression.experiments`` — every number of the chapter from one command
  (``python -m cnnbook.compression.experiments``, ``make compression``).
"""
