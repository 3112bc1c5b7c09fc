// Chapter 2's output-size, cost and receptive-field formulas, in plain JavaScript (no DOM).
//
// Every function mirrors a Python calculator on the pages and refuses exactly what PyTorch refuses,
// with the same Chinese message:
//   convOutputSize / conv2dOutputShape  snippets/arithmetic/conv_output_size.py
//   poolOutputSize                      snippets/arithmetic/pool_output_size.py
//   transposedOutputSize                snippets/variants/transposed_size.py (chapter 4)
//   layerCost                           snippets/arithmetic/cost_counter.py (1 MAC = 2 FLOPs)
//   stackFields                         snippets/receptive_field/calculator.py
// tests/test_widgets_calculator.py runs these functions in Chromium on the configurations the
// properties of tests/properties.py draw and compares them with torch and the Python messages.

/** A configuration PyTorch refuses; `axis` is "H" or "W" when one spatial axis is at fault,
 * `layer` the 0-based row of a stack. */
export class ConfigError extends Error {
  constructor(message, { axis = null, layer = null } = {}) {
    super(message);
    this.name = "ConfigError";
    this.axis = axis;
    this.layer = layer;
  }
}

const AXES = ["H", "W"];

/** Python's repr() for the values a form can hold (numbers and strings). */
function pythonRepr(value) {
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null || value === undefined) return "None";
  return String(value);
}

/** `value` must be an integer >= minimum (booleans are not integers). */
export function checkInteger(name, value, minimum) {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ConfigError(`${name} 必须是整数，收到 ${pythonRepr(value)}`);
  }
  if (value < minimum) {
    throw new ConfigError(`${name} 必须 >= ${minimum}，收到 ${value}`);
  }
  return value;
}

/** Python's // for integers. */
function floorDiv(a, b) {
  return Math.floor(a / b);
}

/** ⌊(W + 2P − D(K−1) − 1) / S⌋ + 1 on one axis; padding is per side. */
export function convOutputSize(inputSize, kernelSize, stride = 1, padding = 0, dilation = 1) {
  checkInteger("input_size", inputSize, 1);
  checkInteger("kernel_size", kernelSize, 1);
  checkInteger("stride", stride, 1);
  checkInteger("padding", padding, 0);
  checkInteger("dilation", dilation, 1);
  const span = dilation * (kernelSize - 1) + 1;
  const padded = inputSize + 2 * padding;
  if (span > padded) {
    throw new ConfigError(
      `kernel_size=${kernelSize}（dilation=${dilation}，跨越 ${span} 格）大于填充后的输入长度 ${padded}`,
    );
  }
  return floorDiv(padded - span, stride) + 1;
}

/** MaxPool/AvgPool on one axis; stride null means stride = kernel_size. */
export function poolOutputSize(
  inputSize,
  kernelSize,
  stride = null,
  padding = 0,
  dilation = 1,
  ceilMode = false,
) {
  const step = stride === null ? kernelSize : stride;
  checkInteger("input_size", inputSize, 1);
  checkInteger("kernel_size", kernelSize, 1);
  checkInteger("stride", step, 1);
  checkInteger("padding", padding, 0);
  checkInteger("dilation", dilation, 1);
  const half = Math.floor(kernelSize / 2);
  if (padding > half) {
    throw new ConfigError(`padding=${padding} 不能超过 kernel_size 的一半（${half}）`);
  }
  const span = dilation * (kernelSize - 1) + 1;
  const room = inputSize + 2 * padding - span;
  let size;
  if (!ceilMode) {
    size = floorDiv(room, step) + 1;
  } else {
    size = -floorDiv(-room, step) + 1;
    if ((size - 1) * step >= inputSize + padding) size -= 1; // last window starts in the right padding
  }
  if (size < 1) {
    throw new ConfigError(
      `input_size=${inputSize} 太小：kernel_size=${kernelSize}、padding=${padding} 时输出为空`,
    );
  }
  return size;
}

/**
 * (W−1)S − 2P + D(K−1) + output_padding + 1 on one axis, with the rules and messages of
 * transposed_output_size (snippets/variants/transposed_size.py, chapter 4). That function takes
 * integers; a form field that holds no integer is refused here first ("… 必须是整数").
 */
export function transposedOutputSize(
  size,
  kernelSize,
  stride = 1,
  padding = 0,
  dilation = 1,
  outputPadding = 0,
) {
  const atLeastOne = [
    ["size", size],
    ["kernel_size", kernelSize],
    ["stride", stride],
    ["dilation", dilation],
  ];
  const anyInteger = [...atLeastOne, ["padding", padding], ["output_padding", outputPadding]];
  for (const [name, value] of anyInteger) checkInteger(name, value, -Infinity); // the form's rule
  for (const [name, value] of atLeastOne) {
    if (value < 1) throw new ConfigError(`${name} 至少为 1，实际为 ${value}`);
  }
  if (padding < 0) throw new ConfigError(`padding 不能为负，实际为 ${padding}`);
  const limit = Math.max(stride, dilation);
  if (!(outputPadding >= 0 && outputPadding < limit)) {
    throw new ConfigError(
      `output_padding 必须在 [0, max(stride, dilation)) = [0, ${limit}) 内，实际为 ${outputPadding}`,
    );
  }
  const out = (size - 1) * stride - 2 * padding + dilation * (kernelSize - 1) + outputPadding + 1;
  if (out < 1) throw new ConfigError(`padding=${padding} 太大：输出长度将是 ${out}`);
  return out;
}

/** padding='same' at stride 1: D(K−1) in all, the odd one on the right (bottom) side. */
export function samePadding(kernelSize, dilation) {
  const total = dilation * (kernelSize - 1);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function checkChannels(inChannels, outChannels, groups) {
  checkInteger("in_channels", inChannels, 1);
  checkInteger("out_channels", outChannels, 1);
  checkInteger("groups", groups, 1);
  if (inChannels % groups || outChannels % groups) {
    throw new ConfigError(
      `groups=${groups} 必须同时整除 in_channels=${inChannels} 与 out_channels=${outChannels}`,
    );
  }
}

/** Run `compute(axisIndex)` for height then width; an error names its axis. */
function perAxis(compute) {
  return [0, 1].map((index) => {
    try {
      return compute(index);
    } catch (error) {
      if (error instanceof ConfigError && error.axis === null) error.axis = AXES[index];
      throw error;
    }
  });
}

/** nn.Conv2d: (C_in, H, W) → (C_out, H', W'), exactly like conv2d_output_shape. */
export function conv2dOutputShape([inChannels, height, width], outChannels, options) {
  const { kernel, stride = [1, 1], padding = [0, 0], dilation = [1, 1], groups = 1 } = options;
  checkChannels(inChannels, outChannels, groups);
  const sizes = [height, width];
  if (padding === "same") {
    const out = perAxis((i) => {
      checkInteger("input_size", sizes[i], 1);
      checkInteger("kernel_size", kernel[i], 1);
      checkInteger("stride", stride[i], 1);
      checkInteger("dilation", dilation[i], 1);
      return sizes[i];
    });
    if (stride.some((s) => s !== 1)) {
      throw new ConfigError(
        "padding='same' 只能用于步长为 1 的卷积（PyTorch 拒绝带步长的 'same'）",
      );
    }
    return [outChannels, ...out];
  }
  const out = perAxis((i) =>
    convOutputSize(sizes[i], kernel[i], stride[i], padding[i], dilation[i]),
  );
  return [outChannels, ...out];
}

/** nn.ConvTranspose2d: (C_in, H, W) → (C_out, H', W'). */
export function convTranspose2dOutputShape([inChannels, height, width], outChannels, options) {
  const {
    kernel,
    stride = [1, 1],
    padding = [0, 0],
    outputPadding = [0, 0],
    dilation = [1, 1],
    groups = 1,
  } = options;
  checkChannels(inChannels, outChannels, groups);
  const sizes = [height, width];
  const out = perAxis((i) =>
    transposedOutputSize(sizes[i], kernel[i], stride[i], padding[i], dilation[i], outputPadding[i]),
  );
  return [outChannels, ...out];
}

/** MaxPool2d / AvgPool2d: channels unchanged; AvgPool2d has no dilation. */
export function pool2dOutputShape([channels, height, width], options) {
  const { kernel, stride = null, padding = [0, 0], dilation = [1, 1], ceilMode = false } = options;
  checkInteger("channels", channels, 1);
  const sizes = [height, width];
  const out = perAxis((i) =>
    poolOutputSize(
      sizes[i],
      kernel[i],
      stride === null ? null : stride[i],
      padding[i],
      dilation[i],
      ceilMode,
    ),
  );
  return [channels, ...out];
}

/**
 * One layer as the calculator describes it:
 *   { kind: "conv" | "transposed" | "max" | "avg", batch, inChannels, outChannels, groups, bias,
 *     height, width, kernel: [kh, kw], stride: [sh, sw] (null: a pool's default),
 *     padding: [ph, pw] or "same", dilation: [dh, dw], outputPadding: [oh, ow], ceilMode }
 * Returns { input: [N, C, H, W], output: [N, C', H', W'], padding: [[top, bottom], [left, right]] }.
 */
export function layerShape(layer) {
  const { kind, batch = 1, inChannels, height, width } = layer;
  checkInteger("batch_size", batch, 1);
  const input = [batch, inChannels, height, width];
  let output;
  if (kind === "conv") {
    output = conv2dOutputShape([inChannels, height, width], layer.outChannels, layer);
  } else if (kind === "transposed") {
    output = convTranspose2dOutputShape([inChannels, height, width], layer.outChannels, layer);
  } else if (kind === "max" || kind === "avg") {
    const dilation = kind === "avg" ? [1, 1] : layer.dilation || [1, 1];
    output = pool2dOutputShape([inChannels, height, width], { ...layer, dilation });
  } else {
    throw new ConfigError(`未知的层类型 ${pythonRepr(kind)}`);
  }
  const padding =
    layer.padding === "same"
      ? [0, 1].map((i) => samePadding(layer.kernel[i], layer.dilation[i]))
      : [0, 1].map((i) => [layer.padding[i], layer.padding[i]]);
  return { input, output: [batch, ...output], padding };
}

function product(numbers) {
  return numbers.reduce((total, n) => total * BigInt(n), 1n);
}

/**
 * Parameters, MACs, FLOPs and memory traffic of one layer, by the book's conventions
 * (snippets/arithmetic/cost_counter.py): 1 MAC = 2 FLOPs; pooling counts no MACs; memory =
 * input + output + parameters, read or written once, float32 (4 bytes). BigInt: exact.
 */
export function layerCost(layer) {
  const { input, output } = layerShape(layer);
  const [kh, kw] = layer.kernel;
  let parameters = 0n;
  let macs = 0n;
  if (layer.kind === "conv") {
    const perFilter = product([layer.inChannels / layer.groups, kh, kw]);
    parameters =
      BigInt(layer.outChannels) * perFilter + (layer.bias ? BigInt(layer.outChannels) : 0n);
    macs = product(output) * perFilter; // every output element: one window · filter dot product
  } else if (layer.kind === "transposed") {
    const perInput = product([layer.outChannels / layer.groups, kh, kw]);
    parameters =
      BigInt(layer.inChannels) * perInput + (layer.bias ? BigInt(layer.outChannels) : 0n);
    macs = product(input) * perInput; // every input element is scattered through its kernel
  }
  const memoryElements = product(input) + product(output) + parameters;
  return {
    input,
    output,
    parameters,
    macs,
    flops: 2n * macs,
    memoryElements,
    memoryBytes: 4n * memoryElements,
  };
}

function pythonValue(pair) {
  return pair[0] === pair[1] ? String(pair[0]) : `(${pair[0]}, ${pair[1]})`;
}

/** The PyTorch line that builds this layer, leaving out arguments at their defaults. */
export function torchCode(layer) {
  const k = `kernel_size=${pythonValue(layer.kernel)}`;
  const args = [];
  const unlessDefault = (name, pair, fallback) => {
    if (pair[0] !== fallback || pair[1] !== fallback) args.push(`${name}=${pythonValue(pair)}`);
  };
  if (layer.kind === "conv" || layer.kind === "transposed") {
    const name = layer.kind === "conv" ? "Conv2d" : "ConvTranspose2d";
    args.push(String(layer.inChannels), String(layer.outChannels), k);
    unlessDefault("stride", layer.stride, 1);
    if (layer.padding === "same") args.push("padding='same'");
    else unlessDefault("padding", layer.padding, 0);
    if (layer.kind === "transposed") unlessDefault("output_padding", layer.outputPadding, 0);
    unlessDefault("dilation", layer.dilation, 1);
    if (layer.groups !== 1) args.push(`groups=${layer.groups}`);
    if (!layer.bias) args.push("bias=False");
    return `nn.${name}(${args.join(", ")})`;
  }
  const name = layer.kind === "max" ? "MaxPool2d" : "AvgPool2d";
  args.push(k);
  if (layer.stride !== null) args.push(`stride=${pythonValue(layer.stride)}`);
  unlessDefault("padding", layer.padding, 0);
  if (layer.kind === "max") unlessDefault("dilation", layer.dilation, 1);
  if (layer.ceilMode) args.push("ceil_mode=True");
  return `nn.${name}(${args.join(", ")})`;
}

/**
 * Receptive field after every layer of a stack of square layers
 * { kind: "conv" | "max" | "avg", kernel, stride, padding, dilation, ceilMode } on a square
 * input of side `inputSize`: size r, jump J, start a, centre c and the output side, in input
 * pixels (the recursion of snippets/receptive_field/calculator.py). An impossible layer throws a
 * ConfigError naming its row.
 */
export function stackFields(layers, inputSize) {
  checkInteger("input_size", inputSize, 1);
  if (layers.length === 0) throw new ConfigError("层叠里至少要有一层");
  let size = 1;
  let jump = 1;
  let start = 0;
  let length = inputSize;
  return layers.map((layer, index) => {
    const { kind, kernel, stride, padding, dilation = 1, ceilMode = false } = layer;
    try {
      if (kind === "conv") length = convOutputSize(length, kernel, stride, padding, dilation);
      else if (kind === "max")
        length = poolOutputSize(length, kernel, stride, padding, dilation, ceilMode);
      else if (kind === "avg") {
        checkInteger("dilation", dilation, 1);
        if (dilation !== 1) throw new ConfigError(`AvgPool2d 没有 dilation，收到 ${dilation}`);
        length = poolOutputSize(length, kernel, stride, padding, 1, ceilMode);
      } else throw new ConfigError(`层叠只接受卷积与池化，收到 ${pythonRepr(kind)}`);
    } catch (error) {
      if (error instanceof ConfigError) error.layer = index;
      throw error;
    }
    const span = dilation * (kernel - 1) + 1;
    size += (span - 1) * jump;
    start -= padding * jump;
    jump *= stride;
    return { size, jump, start, centre: start + (size - 1) / 2, outputSize: length };
  });
}
