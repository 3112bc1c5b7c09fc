// The chapter's LeNet in plain JavaScript (no DOM): the weights file, the MNIST-style
// preprocessing of cnnbook/digits.py, and the forward pass of cnnbook/model.py.
//
// toMnistArray repeats cnnbook.digits.to_mnist_array step by step with the same float32
// arithmetic (NumPy's pairwise sums, Pillow's bilinear resampling, Python's round-half-even), so
// the 28 × 28 input equals Python's bit for bit. tests/test_widgets_lenet.py checks that, and
// checks the forward pass against torch with the same weights.

export const IMAGE_SIZE = 28;
const BOX_SIZE = 20;
const CENTRE = 14.0;
const INK_THRESHOLD = Math.fround(0.2); // NumPy compares float32 pixels with float32(0.2)
const BORDER_FRACTION = 0.04;
const f32 = Math.fround;

/** The picture holds no digit (cnnbook raises CnnBookError "image has no visible digit"). */
export class NoDigitError extends Error {
  constructor() {
    super("图中看不到数字（几乎是均匀的一片）");
    this.name = "NoDigitError";
  }
}

// ---------------------------------------------------------------- the weights file

/** Parse the file written by `python -m cnnbook.export_web` (layout in its docstring). */
export function parseModel(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== "CNNLENET") throw new Error("不是 cnnbook.export_web 写出的 LeNet 权重文件");
  const length = new DataView(buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  const start = 12 + length + ((4 - ((12 + length) % 4)) % 4);
  const tensors = {};
  for (const { name, shape, offset } of header.tensors) {
    const count = shape.reduce((a, b) => a * b, 1);
    tensors[name] = new Float32Array(buffer, start + offset, count);
  }
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const samples = header.samples.indices.map((index, k) => ({
    index,
    label: header.samples.labels[k],
    pixels: new Uint8Array(buffer, start + header.samples.offset + k * pixels, pixels),
  }));
  return { tensors, samples, mean: header.mean, std: header.std, source: header.source };
}

// ---------------------------------------------------------------- NumPy and Python arithmetic

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x) {
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return Math.round(x);
}

/** numpy.sum of a contiguous array: pairwise summation, 8 accumulators, blocks of 128. */
export function pairwiseSum(values, start, n, round) {
  if (n < 8) {
    let sum = round(-0.0);
    for (let i = 0; i < n; i++) sum = round(sum + values[start + i]);
    return sum;
  }
  if (n <= 128) {
    const r = Array.from({ length: 8 }, (_, j) => values[start + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = round(r[j] + values[start + i + j]);
    }
    let sum = round(
      round(round(r[0] + r[1]) + round(r[2] + r[3])) +
        round(round(r[4] + r[5]) + round(r[6] + r[7])),
    );
    for (; i < n; i++) sum = round(sum + values[start + i]);
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return round(
    pairwiseSum(values, start, half, round) + pairwiseSum(values, start + half, n - half, round),
  );
}

const identity = (x) => x;

/** numpy.median of float32 values: the middle one, or the float32 mean of the middle two. */
function median(values) {
  const sorted = Float32Array.from(values).sort();
  const middle = sorted.length >> 1;
  if (sorted.length % 2) return sorted[middle];
  return f32(f32(sorted[middle - 1] + sorted[middle]) / 2);
}

// ---------------------------------------------------------------- cnnbook.digits, step by step

/** Pillow's convert("L") of opaque RGBA pixels, as float32 in [0, 1]. */
export function grayscale(rgba, width, height) {
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    const luma = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16; // ITU-R 601-2, Pillow's rounding
    gray[i] = f32(luma / 255);
  }
  return { data: gray, width, height };
}

function borderPixels({ data, width, height }) {
  const band = Math.max(1, roundHalfEven(BORDER_FRACTION * Math.min(width, height)));
  const rows = (from, to) => {
    const out = [];
    for (let y = Math.max(from, 0); y < to; y++)
      for (let x = 0; x < width; x++) out.push(data[y * width + x]);
    return out;
  };
  const cols = (from, to) => {
    const out = [];
    for (let y = 0; y < height; y++)
      for (let x = Math.max(from, 0); x < to; x++) out.push(data[y * width + x]);
    return out;
  };
  return [
    ...rows(0, Math.min(band, height)),
    ...rows(height - band, height),
    ...cols(0, Math.min(band, width)),
    ...cols(width - band, width),
  ];
}

/** Bright digit on black, stretched to [0, 1]; a light background is inverted first. */
export function inkMap(image) {
  let { data } = image;
  if (median(borderPixels(image)) > 0.5) data = data.map((v) => f32(1.0 - v));
  const flipped = { ...image, data };
  const background = median(borderPixels(flipped));
  let peak = -Infinity;
  for (const v of data) peak = Math.max(peak, v);
  if (peak - background < 0.1) throw new NoDigitError();
  const range = f32(peak - background);
  const ink = data.map((v) => Math.min(Math.max(f32(f32(v - background) / range), 0), 1));
  return { ...image, data: ink };
}

export function cropToInk({ data, width, height }) {
  let [top, bottom, left, right] = [height, -1, width, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] > INK_THRESHOLD) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const w = right - left + 1;
  const h = bottom - top + 1;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    out.set(data.subarray((top + y) * width + left, (top + y) * width + left + w), y * w);
  return { data: out, width: w, height: h };
}

/** Pillow's precompute_coeffs for the bilinear filter (support 1). */
function resampleCoefficients(inSize, outSize) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1.0);
  const support = 1.0 * filterScale;
  const windows = [];
  for (let xx = 0; xx < outSize; xx++) {
    const centre = (xx + 0.5) * scale;
    const min = Math.max(Math.trunc(centre - support + 0.5), 0);
    const count = Math.min(Math.trunc(centre + support + 0.5), inSize) - min;
    const weights = [];
    let total = 0.0;
    for (let x = 0; x < count; x++) {
      const t = Math.abs((x + min - centre + 0.5) * (1.0 / filterScale));
      const w = t < 1.0 ? 1.0 - t : 0.0;
      weights.push(w);
      total += w;
    }
    windows.push({ min, weights: total !== 0.0 ? weights.map((w) => w / total) : weights });
  }
  return windows;
}

/** One separable pass of Pillow's resampling along the rows (`across`: each row is resampled to
 * `outSize` columns) or along the columns; sums in double, stores float32, like Pillow. */
function resamplePass({ data, width, height }, outSize, across) {
  const windows = resampleCoefficients(across ? width : height, outSize);
  const [outWidth, outHeight] = across ? [outSize, height] : [width, outSize];
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { min, weights } = windows[across ? x : y];
      let sum = 0.0;
      for (let k = 0; k < weights.length; k++) {
        sum += (across ? data[y * width + min + k] : data[(min + k) * width + x]) * weights[k];
      }
      out[y * outWidth + x] = sum;
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/** Image.resize((outWidth, outHeight), BILINEAR) of a mode "F" image. Pillow 13 resamples the
 * columns first when the image loses more than twice as many rows as columns, the rows first
 * otherwise (established by experiment; tests/test_widgets_lenet.py checks both orders against
 * Pillow). */
export function resizeBilinear(image, outWidth, outHeight) {
  const rowsFirst = !(
    Math.max(image.height - outHeight, 0) >
    2 * Math.max(image.width - outWidth, 0)
  );
  let out = image;
  for (const across of rowsFirst ? [true, false] : [false, true]) {
    const [size, outSize] = across ? [image.width, outWidth] : [image.height, outHeight];
    if (size !== outSize) out = resamplePass(out, outSize, across);
  }
  return out;
}

/** Scale the patch so its longer side is 20 pixels (aspect ratio kept), clipped to [0, 1]. */
export function fitBox(patch) {
  const scale = BOX_SIZE / Math.max(patch.height, patch.width);
  const width = Math.max(1, roundHalfEven(patch.width * scale));
  const height = Math.max(1, roundHalfEven(patch.height * scale));
  if (width === patch.width && height === patch.height) return patch; // Pillow returns a copy
  const resized = resizeBilinear(patch, width, height);
  return { ...resized, data: resized.data.map((v) => Math.min(Math.max(v, 0), 1)) };
}

export function centreOfMass({ data, width, height }) {
  const byRow = new Float64Array(data.length);
  const byCol = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    byRow[i] = Math.floor(i / width) * data[i];
    byCol[i] = (i % width) * data[i];
  }
  const total = pairwiseSum(data, 0, data.length, f32);
  return [
    pairwiseSum(byRow, 0, data.length, identity) / total,
    pairwiseSum(byCol, 0, data.length, identity) / total,
  ];
}

/** Paste the patch into 28 × 28 black with its centre of mass at (14, 14), kept whole. */
export function placeByCentreOfMass(patch) {
  const [rowMass, colMass] = centreOfMass(patch);
  const top = Math.min(Math.max(roundHalfEven(CENTRE - rowMass), 0), IMAGE_SIZE - patch.height);
  const left = Math.min(Math.max(roundHalfEven(CENTRE - colMass), 0), IMAGE_SIZE - patch.width);
  const field = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
  for (let y = 0; y < patch.height; y++) {
    field.set(
      patch.data.subarray(y * patch.width, (y + 1) * patch.width),
      (top + y) * IMAGE_SIZE + left,
    );
  }
  return field;
}

/** cnnbook.digits.to_mnist_array for opaque RGBA pixels (a canvas): 784 float32 in [0, 1]. */
export function toMnistArray(rgba, width, height) {
  return placeByCentreOfMass(fitBox(cropToInk(inkMap(grayscale(rgba, width, height)))));
}

// ---------------------------------------------------------------- cnnbook.model.LeNet

function conv(input, channels, size, weight, bias, outChannels, k) {
  const outSize = size - k + 1;
  const out = new Float32Array(outChannels * outSize * outSize);
  for (let o = 0; o < outChannels; o++) {
    for (let y = 0; y < outSize; y++) {
      for (let x = 0; x < outSize; x++) {
        let sum = bias[o];
        for (let c = 0; c < channels; c++) {
          for (let u = 0; u < k; u++) {
            const row = (c * size + y + u) * size + x;
            const w = ((o * channels + c) * k + u) * k;
            for (let v = 0; v < k; v++) sum += input[row + v] * weight[w + v];
          }
        }
        out[(o * outSize + y) * outSize + x] = sum;
      }
    }
  }
  return out;
}

function reluMaxPool(input, channels, size) {
  const half = size / 2;
  const out = new Float32Array(channels * half * half);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < half; x++) {
        const at = (dy, dx) => input[(c * size + 2 * y + dy) * size + 2 * x + dx];
        out[(c * half + y) * half + x] = Math.max(0, at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return out;
}

function linear(input, weight, bias, relu) {
  const out = new Float32Array(bias.length);
  for (let o = 0; o < bias.length; o++) {
    let sum = bias[o];
    for (let i = 0; i < input.length; i++) sum += input[i] * weight[o * input.length + i];
    out[o] = relu ? Math.max(0, sum) : sum;
  }
  return out;
}

/** Softmax of the logits, computed stably in double precision. */
export function softmax(logits) {
  const top = Math.max(...logits);
  const exps = Array.from(logits, (z) => Math.exp(z - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/**
 * LeNet on a 28 × 28 digit in [0, 1], normalised like cnnbook.digits.model_input. Returns the
 * conv1 output (6 × 24 × 24, before ReLU), the conv2 output (16 × 8 × 8, before ReLU), the 10
 * logits and their softmax probabilities.
 */
export function forward(model, digit) {
  const t = model.tensors;
  const mean = f32(model.mean);
  const std = f32(model.std);
  const x = Float32Array.from(digit, (v) => f32(f32(v - mean) / std));
  const conv1 = conv(x, 1, 28, t["conv1.weight"], t["conv1.bias"], 6, 5);
  const pool1 = reluMaxPool(conv1, 6, 24);
  const conv2 = conv(pool1, 6, 12, t["conv2.weight"], t["conv2.bias"], 16, 5);
  const pool2 = reluMaxPool(conv2, 16, 8);
  const fc1 = linear(pool2, t["fc1.weight"], t["fc1.bias"], true);
  const fc2 = linear(fc1, t["fc2.weight"], t["fc2.bias"], true);
  const logits = linear(fc2, t["fc3.weight"], t["fc3.bias"], false);
  return { conv1, conv2, logits, probabilities: softmax(logits) };
}
