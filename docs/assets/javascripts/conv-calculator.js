// The conv/pool/receptive-field calculator on the pages of chapters 2 and 3.
// All arithmetic is in conv-arithmetic.js (tested against torch); this file only builds the form,
// reads it and shows the results. Material's document$ emits after every (instant) page load.
import * as arithmetic from "./conv-arithmetic.js";

const KINDS = {
  conv: "卷积 nn.Conv2d",
  transposed: "转置卷积 nn.ConvTranspose2d",
  max: "最大池化 nn.MaxPool2d",
  avg: "平均池化 nn.AvgPool2d",
};
const STACK_KINDS = { conv: "卷积", max: "最大池化", avg: "平均池化" };
// The computed columns of a stack row (their labels show on phone screens, without the header),
// in the letters of the book's 符号与约定 page: R_l, J_l, a_l; the centre has no letter.
const STACK_VALUES = [
  ["out", "输出边长"],
  ["size", "R"],
  ["jump", "J"],
  ["start", "起点 a"],
  ["centre", "中心"],
];
// The hyper-parameter columns of a stack row: key, letter (the header), what it is.
const STACK_INPUTS = [
  ["kernel", "K", "卷积核边长 kernel_size"],
  ["stride", "S", "步长 stride"],
  ["padding", "P", "每侧填充 padding"],
  ["dilation", "D", "空洞率 dilation"],
];
const CONVS = ["conv", "transposed"];
const POOLS = ["max", "avg"];
// Single numbers of the layer form: key, label, default, the kinds that use it. A label is the
// book's name and letter (符号与约定), or [that, PyTorch's argument name] (shown under it).
// The defaults are the page's animated example: 5×5 input, 3×3 kernel, stride 2, padding 1.
const SINGLES = [
  ["batch", "批大小 B", 1, null],
  ["inChannels", "输入通道 C_in", 1, null],
  ["outChannels", "输出通道 C_out", 1, CONVS],
  ["groups", ["分组数 G", "groups"], 1, CONVS],
];
// (height, width) pairs: key, label, defaults, the kinds that use it.
const PAIRS = [
  ["size", "输入尺寸 H、W", [5, 5], null],
  ["kernel", ["卷积核 K", "kernel_size"], [3, 3], null],
  ["stride", ["步长 S", "stride"], [2, 2], null],
  ["padding", ["每侧填充 P", "padding"], [1, 1], null],
  ["dilation", ["空洞率 D", "dilation"], [1, 1], ["conv", "transposed", "max"]],
  ["outputPadding", "output_padding", [0, 0], ["transposed"]],
];
const AXIS_NAMES = { H: "高（H）方向", W: "宽（W）方向" };
const MOST_CELLS = 40; // larger grids are not drawn
// The five-layer network of snippets/receptive_field/calculator.py, on a 32 × 32 input.
const EXAMPLE_STACK = [
  { kind: "conv", kernel: 3, stride: 1, padding: 1, dilation: 1, ceilMode: false },
  { kind: "conv", kernel: 3, stride: 1, padding: 1, dilation: 1, ceilMode: false },
  { kind: "max", kernel: 2, stride: 2, padding: 0, dilation: 1, ceilMode: false },
  { kind: "conv", kernel: 3, stride: 1, padding: 2, dilation: 2, ceilMode: false },
  { kind: "conv", kernel: 3, stride: 2, padding: 1, dilation: 1, ceilMode: false },
];
const EXAMPLE_INPUT = 32;

let widgets = 0; // ids stay unique when instant navigation brings the widget back

function make(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (value !== false && value !== null)
      node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

/** A number field's value: a number if it reads as one, else the raw text (which the
 * arithmetic refuses with a message naming it). */
function readNumber(input) {
  const text = input.value.trim();
  const value = Number(text);
  return text !== "" && Number.isFinite(value) ? value : text;
}

/** A field label's content: its text, and PyTorch's argument name on a line of its own. */
function labelContent(label) {
  if (typeof label === "string") return [label];
  return [label[0], " ", make("span", { class: "cnn-field__arg", text: label[1] })];
}

function numberField(id, label, value) {
  const input = make("input", {
    id,
    type: "number",
    step: "1",
    value: String(value),
    inputmode: "numeric",
  });
  return make("div", { class: "cnn-field" }, [
    make("label", { for: id }, labelContent(label)),
    input,
  ]);
}

function pairField(id, label, values) {
  const nameId = `${id}-name`;
  const axis = (suffix, text, value) => {
    const input = make("input", {
      id: `${id}-${suffix}`,
      type: "number",
      step: "1",
      value: String(value),
      inputmode: "numeric",
    });
    return make("label", { class: "cnn-axis" }, [make("span", { text }), input]);
  };
  return make("div", { class: "cnn-field cnn-pair", role: "group", "aria-labelledby": nameId }, [
    make("span", { id: nameId, class: "cnn-field__name" }, labelContent(label)),
    axis("h", "高", values[0]),
    axis("w", "宽", values[1]),
  ]);
}

function checkboxField(id, label, checked) {
  const input = make("input", { id, type: "checkbox", checked });
  return make("div", { class: "cnn-field cnn-check" }, [
    input,
    make("label", { for: id, text: label }),
  ]);
}

function buildLayerForm(prefix) {
  const kind = make(
    "select",
    { id: `${prefix}-kind` },
    Object.entries(KINDS).map(([value, text]) => make("option", { value, text })),
  );
  const fields = [
    make("div", { class: "cnn-field" }, [
      make("label", { for: `${prefix}-kind`, text: "层的类型" }),
      kind,
    ]),
  ];
  for (const [key, label, value, kinds] of SINGLES) {
    fields.push(withKinds(numberField(`${prefix}-${key}`, label, value), kinds));
  }
  for (const [key, label, values, kinds] of PAIRS) {
    fields.push(withKinds(pairField(`${prefix}-${key}`, label, values), kinds));
  }
  const paddingMode = make("select", { id: `${prefix}-padding-mode` }, [
    make("option", { value: "numbers", text: "按上面的数值" }),
    make("option", { value: "same", text: "'same'（保持尺寸）" }),
  ]);
  fields.push(
    withKinds(
      make("div", { class: "cnn-field" }, [
        make("label", { for: `${prefix}-padding-mode`, text: "填充方式" }),
        paddingMode,
      ]),
      ["conv"],
    ),
  );
  fields.push(withKinds(checkboxField(`${prefix}-bias`, "带偏置 bias", true), CONVS));
  fields.push(
    withKinds(
      checkboxField(`${prefix}-stride-default`, "步长缺省（等于 kernel_size）", false),
      POOLS,
    ),
  );
  fields.push(withKinds(checkboxField(`${prefix}-ceil`, "ceil_mode（向上取整）", false), POOLS));
  return make("fieldset", { class: "cnn-calc__layer" }, [
    make("legend", { text: "一层" }),
    ...fields,
  ]);
}

function withKinds(field, kinds) {
  if (kinds) field.dataset.kinds = kinds.join(" ");
  return field;
}

function readPair(root, prefix, key) {
  return ["h", "w"].map((axis) => readNumber(root.querySelector(`#${prefix}-${key}-${axis}`)));
}

/** The layer the form describes, in conv-arithmetic.js's terms. */
function readLayer(root, prefix) {
  const get = (key) => root.querySelector(`#${prefix}-${key}`);
  const kind = get("kind").value;
  const [height, width] = readPair(root, prefix, "size");
  const pool = POOLS.includes(kind);
  return {
    kind,
    batch: readNumber(get("batch")),
    inChannels: readNumber(get("inChannels")),
    outChannels: readNumber(get("outChannels")),
    groups: readNumber(get("groups")),
    bias: get("bias").checked,
    height,
    width,
    kernel: readPair(root, prefix, "kernel"),
    stride: pool && get("stride-default").checked ? null : readPair(root, prefix, "stride"),
    padding:
      kind === "conv" && get("padding-mode").value === "same"
        ? "same"
        : readPair(root, prefix, "padding"),
    dilation: kind === "avg" ? [1, 1] : readPair(root, prefix, "dilation"),
    outputPadding: readPair(root, prefix, "outputPadding"),
    ceilMode: pool && get("ceil").checked,
  };
}

function showFieldsFor(form, layer) {
  for (const field of form.querySelectorAll("[data-kinds]")) {
    field.hidden = !field.dataset.kinds.split(" ").includes(layer.kind);
  }
  const strideInputs = form.querySelectorAll("[id$='-stride-h'], [id$='-stride-w']");
  for (const input of strideInputs) input.disabled = layer.stride === null;
  const paddingInputs = form.querySelectorAll("[id$='-padding-h'], [id$='-padding-w']");
  for (const input of paddingInputs) input.disabled = layer.padding === "same";
}

const count = (value) => value.toLocaleString("en-US");

/** Two decimals, or two significant digits below 0.01. */
const short = (value) => (value >= 0.01 ? value.toFixed(2) : value.toPrecision(2));

function bytesText(bytes) {
  const value = Number(bytes);
  return `${count(bytes)} 字节（${short(value / 1e6)} MB，${short(value / 2 ** 20)} MiB）`;
}

function pythonCode(layer, shape) {
  const [b, c, h, w] = shape.input;
  return [
    "import torch",
    "from torch import nn",
    "",
    `layer = ${arithmetic.torchCode(layer)}`,
    `y = layer(torch.zeros(${b}, ${c}, ${h}, ${w}))`,
    `print(tuple(y.shape))  # (${shape.output.join(", ")})`,
  ].join("\n");
}

function messageFor(error) {
  if (!(error instanceof arithmetic.ConfigError)) throw error;
  const where = error.layer !== null ? `第 ${error.layer + 1} 层：` : "";
  const axis = error.axis ? `${AXIS_NAMES[error.axis]}：` : "";
  return `PyTorch 会拒绝这个配置。${where}${axis}${error.message}`;
}

function buildResults(prefix) {
  const row = (key, label) =>
    make("div", { class: "cnn-result" }, [
      make("dt", { text: label }),
      make("dd", {}, [make("output", { id: `${prefix}-${key}`, for: `${prefix}-kind` })]),
    ]);
  const copy = make("button", {
    type: "button",
    class: "md-button cnn-copy",
    id: `${prefix}-copy`,
    text: "复制代码",
  });
  return make("div", { class: "cnn-calc__results" }, [
    make("p", { class: "cnn-error", id: `${prefix}-error`, role: "status", "aria-live": "polite" }),
    make("dl", { class: "cnn-results", id: `${prefix}-numbers` }, [
      row("shape", "输出形状 (B, C, H, W)"),
      row("parameters", "参数量"),
      row("macs", "乘加 MACs"),
      row("flops", "浮点运算 FLOPs"),
      row("memory", "访存量（float32）"),
    ]),
    make("div", { class: "cnn-code", id: `${prefix}-code-block` }, [
      make("pre", {}, [make("code", { id: `${prefix}-code`, class: "language-python" })]),
      copy,
    ]),
  ]);
}

function showResults(root, prefix, layer) {
  const out = (key) => root.querySelector(`#${prefix}-${key}`);
  const numbers = out("numbers");
  const code = out("code-block");
  try {
    const cost = arithmetic.layerCost(layer);
    const shape = arithmetic.layerShape(layer);
    out("error").textContent = "";
    out("shape").textContent = `(${cost.output.join(", ")})`;
    out("parameters").textContent = count(cost.parameters);
    const pooled = POOLS.includes(layer.kind);
    out("macs").textContent = pooled ? "0（本书不计池化的运算）" : count(cost.macs);
    out("flops").textContent = pooled ? "0" : `${count(cost.flops)}（= 2 × MACs）`;
    out("memory").textContent =
      `${count(cost.memoryElements)} 个元素，${bytesText(cost.memoryBytes)}`;
    out("code").textContent = pythonCode(layer, shape);
    numbers.hidden = code.hidden = false;
    return shape;
  } catch (error) {
    out("error").textContent = messageFor(error);
    numbers.hidden = code.hidden = true;
    return null;
  }
}

// ---------------------------------------------------------------- grids

function gridSvg(rows, cols, cellClass, label) {
  const cell = Math.max(rows, cols) > 24 ? 10 : 16;
  const rects = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      rects.push(
        `<rect x="${c * cell + 1}" y="${r * cell + 1}" width="${cell}" height="${cell}" class="${cellClass(r, c)}"/>`,
      );
    }
  }
  const width = cols * cell + 2;
  const height = rows * cell + 2;
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${label}">${rects.join("")}</svg>`;
}

function figure(svg, caption) {
  return `<figure class="cnn-grid">${svg}<figcaption>${caption}</figcaption></figure>`;
}

function windowCells(layer, shape, i, j) {
  const stride = layer.stride === null ? layer.kernel : layer.stride;
  const cells = new Set();
  for (let u = 0; u < layer.kernel[0]; u++) {
    for (let v = 0; v < layer.kernel[1]; v++) {
      cells.add(
        `${i * stride[0] + u * layer.dilation[0]},${j * stride[1] + v * layer.dilation[1]}`,
      );
    }
  }
  return cells;
}

function convGrids(layer, shape, [i, j]) {
  const [[top, bottom], [left, right]] = shape.padding;
  const rows = layer.height + top + bottom;
  const cols = layer.width + left + right;
  const read = windowCells(layer, shape, i, j);
  const inside = (r, c) =>
    r >= top && r < top + layer.height && c >= left && c < left + layer.width;
  const inputClass = (r, c) =>
    [
      "cnn-cell",
      inside(r, c) ? "" : "cnn-cell--pad",
      read.has(`${r},${c}`) ? "cnn-cell--hit" : "",
    ].join(" ");
  const [, , outH, outW] = shape.output;
  const what = POOLS.includes(layer.kind) ? "池化窗口" : "卷积核";
  const dilated = layer.dilation.some((d) => d > 1) ? `，空洞 ${layer.dilation.join("×")}` : "";
  return [
    figure(
      gridSvg(rows, cols, inputClass, "输入"),
      `输入 ${layer.height}×${layer.width}（浅灰：填充）`,
    ),
    figure(
      gridSvg(layer.kernel[0], layer.kernel[1], () => "cnn-cell cnn-cell--kernel", what),
      `${what} ${layer.kernel.join("×")}${dilated}`,
    ),
    figure(
      gridSvg(
        outH,
        outW,
        (r, c) => (r === i && c === j ? "cnn-cell cnn-cell--hit" : "cnn-cell"),
        "输出",
      ),
      `输出 ${outH}×${outW}`,
    ),
  ];
}

function transposedGrids(layer, shape, [i, j]) {
  const [, , outH, outW] = shape.output;
  const written = new Set();
  for (let u = 0; u < layer.kernel[0]; u++) {
    for (let v = 0; v < layer.kernel[1]; v++) {
      written.add(
        `${i * layer.stride[0] - layer.padding[0] + u * layer.dilation[0]},${j * layer.stride[1] - layer.padding[1] + v * layer.dilation[1]}`,
      );
    }
  }
  return [
    figure(
      gridSvg(
        layer.height,
        layer.width,
        (r, c) => (r === i && c === j ? "cnn-cell cnn-cell--hit" : "cnn-cell"),
        "输入",
      ),
      `输入 ${layer.height}×${layer.width}`,
    ),
    figure(
      gridSvg(layer.kernel[0], layer.kernel[1], () => "cnn-cell cnn-cell--kernel", "卷积核"),
      `卷积核 ${layer.kernel.join("×")}`,
    ),
    figure(
      gridSvg(
        outH,
        outW,
        (r, c) => (written.has(`${r},${c}`) ? "cnn-cell cnn-cell--hit" : "cnn-cell"),
        "输出",
      ),
      `输出 ${outH}×${outW}`,
    ),
  ];
}

function buildGrids(prefix) {
  const slider = (axis, label) =>
    make("label", { class: "cnn-axis" }, [
      make("span", { text: label }),
      make("input", {
        id: `${prefix}-pick-${axis}`,
        type: "range",
        min: "0",
        max: "0",
        value: "0",
      }),
      make("output", { id: `${prefix}-pick-${axis}-value`, text: "0" }),
    ]);
  return make("div", { class: "cnn-calc__grids" }, [
    make(
      "div",
      { class: "cnn-field cnn-pair", role: "group", "aria-labelledby": `${prefix}-pick-name` },
      [
        make("span", { id: `${prefix}-pick-name`, class: "cnn-field__name" }),
        slider("row", "行"),
        slider("col", "列"),
      ],
    ),
    make("div", { class: "cnn-grids", id: `${prefix}-grids` }),
    make("p", { class: "cnn-note", id: `${prefix}-grids-note` }),
  ]);
}

function showGrids(root, prefix, layer, shape) {
  const box = root.querySelector(`#${prefix}-grids`);
  const note = root.querySelector(`#${prefix}-grids-note`);
  const pickName = root.querySelector(`#${prefix}-pick-name`);
  const pickers = ["row", "col"].map((axis) => root.querySelector(`#${prefix}-pick-${axis}`));
  pickers[0].closest(".cnn-pair").hidden = box.hidden = shape === null;
  if (shape === null) {
    note.textContent = "";
    return;
  }
  const transposed = layer.kind === "transposed";
  const [, , outH, outW] = shape.output;
  const [pickH, pickW] = transposed ? [layer.height, layer.width] : [outH, outW];
  const rows = shape.padding[0][0] + shape.padding[0][1] + layer.height;
  const cols = shape.padding[1][0] + shape.padding[1][1] + layer.width;
  if (Math.max(rows, cols, outH, outW) > MOST_CELLS) {
    box.hidden = true;
    pickers[0].closest(".cnn-pair").hidden = true;
    note.textContent = `输入或输出超过 ${MOST_CELLS} 格，不画格子。`;
    return;
  }
  pickName.textContent = transposed ? "高亮输入的位置" : "高亮输出的位置";
  const picked = pickers.map((input, index) => {
    input.max = String((index === 0 ? pickH : pickW) - 1);
    const value = Math.min(Number(input.value), Number(input.max));
    input.value = String(value);
    root.querySelector(`#${input.id}-value`).textContent = String(value);
    return value;
  });
  const grids = transposed
    ? transposedGrids(layer, shape, picked)
    : convGrids(layer, shape, picked);
  box.innerHTML = grids.join("");
  note.textContent = transposed
    ? `橙色：输入 (${picked.join(", ")}) 乘以卷积核后写到的输出格。`
    : `橙色：输出 (${picked.join(", ")}) 的窗口在输入上读取的格子。`;
}

// ---------------------------------------------------------------- the stack

function stackRow(prefix, index, layer) {
  const id = (key) => `${prefix}-row${index}-${key}`;
  const cell = (key, label, value) =>
    make("td", {}, [
      make("input", {
        id: id(key),
        type: "number",
        step: "1",
        value: String(value),
        "aria-label": `第 ${index + 1} 层 ${label}`,
      }),
    ]);
  const kind = make(
    "select",
    { id: id("kind"), "aria-label": `第 ${index + 1} 层 类型` },
    Object.entries(STACK_KINDS).map(([value, text]) =>
      make("option", { value, text, selected: value === layer.kind }),
    ),
  );
  const ceil = make("input", {
    id: id("ceil"),
    type: "checkbox",
    checked: layer.ceilMode,
    "aria-label": `第 ${index + 1} 层 ceil_mode`,
  });
  const remove = make("button", {
    type: "button",
    class: "cnn-remove",
    "data-row": String(index),
    text: "✕",
    "aria-label": `删除第 ${index + 1} 层`,
  });
  const computed = STACK_VALUES.map(([key, label]) =>
    make("td", { class: "cnn-stack__value", "data-label": label }, [
      make("output", { id: id(key) }),
    ]),
  );
  return make("tr", {}, [
    make("th", { scope: "row", text: String(index + 1) }),
    make("td", { class: "cnn-stack__type" }, [kind]),
    ...STACK_INPUTS.map(([key, letter, what]) => cell(key, `${letter}（${what}）`, layer[key])),
    make("td", {}, [ceil]),
    ...computed,
    make("td", {}, [remove]),
  ]);
}

function buildStack(prefix) {
  const head = [
    "#",
    "类型",
    ...STACK_INPUTS.map(([, letter]) => letter),
    "ceil",
    ...STACK_VALUES.map(([, label]) => label),
    "",
  ];
  const titles = Object.fromEntries(STACK_INPUTS.map(([, letter, what]) => [letter, what]));
  const classes = {
    1: "cnn-stack__type",
    7: "cnn-stack__value",
    8: "cnn-stack__value",
    9: "cnn-stack__value",
    10: "cnn-stack__value",
    11: "cnn-stack__value",
  };
  const button = (key, text) =>
    make("button", { type: "button", class: "md-button", id: `${prefix}-${key}`, text });
  return make("fieldset", { class: "cnn-calc__stack" }, [
    make("legend", { text: "层叠：逐层的输出边长与感受野" }),
    numberField(`${prefix}-stack-input`, "输入边长（正方形）", EXAMPLE_INPUT),
    make("div", { class: "cnn-scroll" }, [
      make("table", { class: "cnn-stack" }, [
        make("thead", {}, [
          make(
            "tr",
            {},
            head.map((text, k) =>
              make("th", {
                scope: "col",
                text,
                class: classes[k] ?? null,
                title: titles[text] ?? null,
              }),
            ),
          ),
        ]),
        make("tbody", { id: `${prefix}-rows` }),
      ]),
    ]),
    make("p", {
      class: "cnn-error",
      id: `${prefix}-stack-error`,
      role: "status",
      "aria-live": "polite",
    }),
    make("div", { class: "cnn-buttons" }, [
      button("add", "添加一层"),
      button("add-layer", "把上面的一层加进来"),
      button("example", "载入示例"),
      button("clear", "清空"),
    ]),
  ]);
}

function readStack(root, prefix) {
  const rows = [...root.querySelectorAll(`#${prefix}-rows tr`)];
  return rows.map((row, index) => {
    const get = (key) => row.querySelector(`#${prefix}-row${index}-${key}`);
    const kind = get("kind").value;
    get("dilation").disabled = kind === "avg";
    get("ceil").disabled = kind === "conv";
    return {
      kind,
      kernel: readNumber(get("kernel")),
      stride: readNumber(get("stride")),
      padding: readNumber(get("padding")),
      dilation: kind === "avg" ? 1 : readNumber(get("dilation")),
      ceilMode: kind !== "conv" && get("ceil").checked,
    };
  });
}

function setStack(root, prefix, layers) {
  const body = root.querySelector(`#${prefix}-rows`);
  body.replaceChildren(...layers.map((layer, index) => stackRow(prefix, index, layer)));
}

function fillStackRow(root, prefix, index, field) {
  const values = field
    ? [field.outputSize, field.size, field.jump, field.start, field.centre]
    : ["—", "—", "—", "—", "—"];
  STACK_VALUES.forEach(([key], k) => {
    root.querySelector(`#${prefix}-row${index}-${key}`).textContent = String(values[k]);
  });
}

function showStack(root, prefix) {
  const layers = readStack(root, prefix);
  const size = readNumber(root.querySelector(`#${prefix}-stack-input`));
  const error = root.querySelector(`#${prefix}-stack-error`);
  let fields = [];
  try {
    fields = arithmetic.stackFields(layers, size);
    error.textContent = "";
  } catch (problem) {
    error.textContent = messageFor(problem);
    const good = problem.layer ?? 0;
    fields = good > 0 ? arithmetic.stackFields(layers.slice(0, good), size) : [];
  }
  layers.forEach((_, index) => fillStackRow(root, prefix, index, fields[index]));
}

/** The single layer as a stack row, or a message why it cannot be one. */
function layerAsRow(layer) {
  if (layer.kind === "transposed")
    return "层叠只接受卷积与池化，转置卷积的感受野不在本章讨论之内。";
  const [kh, kw] = layer.kernel;
  const stride = layer.stride === null ? layer.kernel : layer.stride;
  let padding = layer.padding;
  if (padding === "same") {
    const [before, after] = arithmetic.samePadding(kh, layer.dilation[0]);
    if (before !== after) return "层叠里每层两侧的填充相同；这个 'same' 两侧不等。";
    padding = [before, before];
  }
  const square = [layer.kernel, stride, padding, layer.dilation].every(([h, w]) => h === w);
  if (!square || kh !== kw) return "层叠里的层高、宽参数相同；请先把高、宽设成一样。";
  return {
    kind: layer.kind,
    kernel: kh,
    stride: stride[0],
    padding: padding[0],
    dilation: layer.dilation[0],
    ceilMode: layer.ceilMode,
  };
}

// ---------------------------------------------------------------- wiring

function update(root, prefix) {
  root.querySelector(`#${prefix}-copy`).textContent = "复制代码";
  const layer = readLayer(root, prefix);
  showFieldsFor(root, layer);
  const shape = showResults(root, prefix, layer);
  showGrids(root, prefix, layer, shape);
  showStack(root, prefix);
}

async function copyCode(root, prefix) {
  const code = root.querySelector(`#${prefix}-code`);
  const button = root.querySelector(`#${prefix}-copy`);
  try {
    await navigator.clipboard.writeText(code.textContent);
    button.textContent = "已复制";
  } catch {
    window.getSelection().selectAllChildren(code); // no clipboard access: select it for Ctrl+C
    button.textContent = "已选中，按 Ctrl+C 复制";
  }
}

function onClick(root, prefix, event) {
  const target = event.target;
  const layers = () => readStack(root, prefix);
  if (target.id === `${prefix}-copy`) {
    copyCode(root, prefix);
    return;
  }
  if (target.id === `${prefix}-add`) {
    setStack(root, prefix, [
      ...layers(),
      { kind: "conv", kernel: 3, stride: 1, padding: 1, dilation: 1, ceilMode: false },
    ]);
  } else if (target.id === `${prefix}-add-layer`) {
    const row = layerAsRow(readLayer(root, prefix));
    if (typeof row === "string") {
      root.querySelector(`#${prefix}-stack-error`).textContent = row;
      return;
    }
    setStack(root, prefix, [...layers(), row]);
  } else if (target.id === `${prefix}-example`) {
    setStack(root, prefix, EXAMPLE_STACK);
    root.querySelector(`#${prefix}-stack-input`).value = String(EXAMPLE_INPUT);
  } else if (target.id === `${prefix}-clear`) {
    setStack(root, prefix, []);
  } else if (target.classList.contains("cnn-remove")) {
    const index = Number(target.dataset.row);
    setStack(
      root,
      prefix,
      layers().filter((_, k) => k !== index),
    );
  } else {
    return;
  }
  showStack(root, prefix);
}

function mount(root) {
  const prefix = `cnn-calc${++widgets}`;
  const form = make(
    "form",
    { class: "cnn-calc", "aria-label": "卷积、池化与感受野计算器", novalidate: true },
    [
      make("div", { class: "cnn-calc__layer-part" }, [
        buildLayerForm(prefix),
        buildResults(prefix),
      ]),
      buildGrids(prefix),
      buildStack(prefix),
    ],
  );
  form.addEventListener("input", () => update(form, prefix));
  form.addEventListener("change", () => update(form, prefix));
  form.addEventListener("click", (event) => onClick(form, prefix, event));
  root.replaceChildren(form);
  setStack(form, prefix, EXAMPLE_STACK);
  update(form, prefix);
  root.dataset.ready = "true";
}

document$.subscribe(() => {
  for (const root of document.querySelectorAll(
    "[data-widget='conv-calculator']:not([data-ready])",
  )) {
    mount(root);
  }
});
