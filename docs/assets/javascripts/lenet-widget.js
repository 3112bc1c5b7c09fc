// The LeNet demo on the chapter 9 page: draw a digit (mouse, pen or finger) or pick an MNIST
// test digit; lenet.js preprocesses the canvas exactly like `python -m cnnbook.predict` and runs
// the chapter's trained LeNet, whose weights `python -m cnnbook.export_web` wrote.
import { IMAGE_SIZE, NoDigitError, forward, parseModel, toMnistArray } from "./lenet.js";

const PAD = 280; // canvas pixels; the preprocessing reads exactly these
const STROKE = 20;
const MODEL_URL = new URL("../models/lenet.bin", import.meta.url);
let modelPromise = null; // fetched once, shared by every visit of the page
let widgets = 0;

function loadModel() {
  modelPromise ??= fetch(MODEL_URL)
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.arrayBuffer();
    })
    .then(parseModel);
  return modelPromise;
}

function make(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function darkScheme() {
  return document.body.getAttribute("data-md-color-scheme") === "slate";
}

/** Paper and ink grey levels: black ink on white paper, or white on black in the dark scheme. */
function colours() {
  return darkScheme() ? { paper: 0, ink: 255 } : { paper: 255, ink: 0 };
}

const grey = (level) => `rgb(${level}, ${level}, ${level})`;

function build(prefix) {
  const canvas = make("canvas", {
    id: `${prefix}-pad`,
    width: String(PAD),
    height: String(PAD),
    role: "img",
    "aria-label": "写字板：用鼠标、触控笔或手指在这里写一个数字（0 到 9）",
  });
  const select = make("select", { id: `${prefix}-sample` }, [
    make("option", { value: "", text: "（选一张）" }),
  ]);
  const bars = make("div", { class: "cnn-bars", id: `${prefix}-bars` });
  for (let digit = 0; digit < 10; digit++) {
    bars.append(
      make("span", { text: String(digit) }),
      make("div", { class: "cnn-bar", id: `${prefix}-bar${digit}` }, [
        make("span", { style: "width: 0%" }),
      ]),
      make("output", { id: `${prefix}-p${digit}`, text: "—" }),
    );
  }
  const input = make("canvas", {
    id: `${prefix}-input`,
    width: String(IMAGE_SIZE),
    height: String(IMAGE_SIZE),
    style: "width: 84px; height: 84px",
    role: "img",
    "aria-label": "网络实际看到的 28×28 输入",
  });
  return make("div", { class: "cnn-lenet" }, [
    make("div", { class: "cnn-lenet__pad" }, [
      canvas,
      make("div", { class: "cnn-buttons" }, [
        make("button", { type: "button", class: "md-button", id: `${prefix}-clear`, text: "清除" }),
      ]),
      make("div", { class: "cnn-field" }, [
        make("label", { for: `${prefix}-sample`, text: "或者选一张 MNIST 测试图" }),
        select,
      ]),
      make("p", {
        class: "cnn-note",
        id: `${prefix}-status`,
        role: "status",
        "aria-live": "polite",
        text: "正在载入网络权重……",
      }),
    ]),
    make("div", { class: "cnn-lenet__output" }, [
      make("p", { class: "cnn-lenet__input" }, [
        input,
        make("span", { text: " 网络看到的 28×28 输入" }),
      ]),
      make("p", {}, [
        make("strong", { id: `${prefix}-prediction`, "aria-live": "polite", text: "预测：—" }),
      ]),
      bars,
    ]),
    make("div", { class: "cnn-lenet__maps" }, [
      make("p", { text: "conv1 + ReLU 之后的 6 张特征图（24×24）" }),
      make("div", { class: "cnn-maps", id: `${prefix}-conv1` }),
      make("p", { text: "conv2 + ReLU 之后的 16 张特征图（8×8）" }),
      make("div", { class: "cnn-maps", id: `${prefix}-conv2` }),
    ]),
  ]);
}

function clearPad(canvas) {
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.fillStyle = grey(colours().paper);
  context.fillRect(0, 0, PAD, PAD);
}

/** Draw an MNIST digit on the pad, 10× larger, in the pad's colours. */
function paintSample(canvas, sample) {
  const { paper, ink } = colours();
  const scale = PAD / IMAGE_SIZE;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  for (let i = 0; i < sample.pixels.length; i++) {
    const level = Math.round(paper + ((ink - paper) * sample.pixels[i]) / 255);
    context.fillStyle = grey(level);
    context.fillRect((i % IMAGE_SIZE) * scale, Math.floor(i / IMAGE_SIZE) * scale, scale, scale);
  }
}

/** Grey image of one map (a 28 × 28 input or a feature map), scaled to its maximum. */
function paintMap(canvas, values, offset, size, relu) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  let top = 0;
  for (let i = 0; i < size * size; i++) top = Math.max(top, values[offset + i]);
  const dark = darkScheme();
  for (let i = 0; i < size * size; i++) {
    const v = relu ? Math.max(0, values[offset + i]) : values[offset + i];
    const level = top > 0 ? Math.round((255 * v) / top) : 0;
    const shown = dark ? level : 255 - level;
    image.data.set([shown, shown, shown, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

function showMaps(box, values, count, size, shown) {
  if (box.children.length !== count) {
    box.replaceChildren(
      ...Array.from({ length: count }, (_, k) =>
        make("canvas", {
          width: String(size),
          height: String(size),
          style: `width: ${shown}px; height: ${shown}px`,
          role: "img",
          "aria-label": `第 ${k + 1} 个通道`,
        }),
      ),
    );
  }
  [...box.children].forEach((canvas, k) => paintMap(canvas, values, k * size * size, size, true));
}

function showResult(root, prefix, digit, result) {
  const get = (key) => root.querySelector(`#${prefix}-${key}`);
  let best = 0;
  result.probabilities.forEach((p, k) => {
    if (p > result.probabilities[best]) best = k;
  });
  result.probabilities.forEach((p, k) => {
    get(`p${k}`).textContent = p.toFixed(3);
    const bar = get(`bar${k}`);
    bar.classList.toggle("cnn-bar--best", k === best);
    bar.firstChild.style.width = `${(100 * p).toFixed(1)}%`;
  });
  get("prediction").textContent = `预测：${best}（概率 ${result.probabilities[best].toFixed(3)}）`;
  paintMap(get("input"), digit, 0, IMAGE_SIZE, false);
  showMaps(get("conv1"), result.conv1, 6, 24, 48);
  showMaps(get("conv2"), result.conv2, 16, 8, 32);
}

function showEmpty(root, prefix, message) {
  const get = (key) => root.querySelector(`#${prefix}-${key}`);
  for (let k = 0; k < 10; k++) {
    get(`p${k}`).textContent = "—";
    get(`bar${k}`).classList.remove("cnn-bar--best");
    get(`bar${k}`).firstChild.style.width = "0%";
  }
  get("prediction").textContent = "预测：—";
  get("status").textContent = message;
  get("conv1").replaceChildren();
  get("conv2").replaceChildren();
  get("input").getContext("2d").clearRect(0, 0, IMAGE_SIZE, IMAGE_SIZE);
}

/** Read the pad, preprocess like cnnbook.predict, run LeNet, show everything. */
function recognise(root, prefix, model) {
  const canvas = root.querySelector(`#${prefix}-pad`);
  const pixels = canvas
    .getContext("2d", { willReadFrequently: true })
    .getImageData(0, 0, PAD, PAD).data;
  try {
    const digit = toMnistArray(pixels, PAD, PAD);
    showResult(root, prefix, digit, forward(model, digit));
    root.querySelector(`#${prefix}-status`).textContent = "";
  } catch (error) {
    if (!(error instanceof NoDigitError)) throw error;
    showEmpty(root, prefix, "在左边的方框里写一个数字（0 到 9），或者选一张测试图。");
  }
  root.dataset.runs = String(Number(root.dataset.runs || 0) + 1);
}

function padPoint(canvas, event) {
  const box = canvas.getBoundingClientRect();
  return [
    ((event.clientX - box.left) * PAD) / box.width,
    ((event.clientY - box.top) * PAD) / box.height,
  ];
}

function enableDrawing(root, prefix, model) {
  const canvas = root.querySelector(`#${prefix}-pad`);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let last = null;
  let pending = false;
  const later = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      recognise(root, prefix, model);
    });
  };
  const stroke = (to) => {
    context.strokeStyle = grey(colours().ink);
    context.lineWidth = STROKE;
    context.lineCap = context.lineJoin = "round";
    context.beginPath();
    context.moveTo(...(last ?? to));
    context.lineTo(...to);
    context.stroke();
    last = to;
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = null;
    stroke(padPoint(canvas, event));
    later();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (last === null) return;
    stroke(padPoint(canvas, event));
    later();
  });
  const finish = () => {
    if (last === null) return;
    last = null;
    recognise(root, prefix, model);
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
}

function enableControls(root, prefix, model) {
  const canvas = root.querySelector(`#${prefix}-pad`);
  const select = root.querySelector(`#${prefix}-sample`);
  model.samples.forEach((sample, k) => {
    select.append(
      make("option", {
        value: String(k),
        text: `测试集第 ${sample.index} 张（数字 ${sample.label}）`,
      }),
    );
  });
  select.addEventListener("change", () => {
    if (select.value === "") return;
    paintSample(canvas, model.samples[Number(select.value)]);
    recognise(root, prefix, model);
  });
  root.querySelector(`#${prefix}-clear`).addEventListener("click", () => {
    clearPad(canvas);
    select.value = "";
    recognise(root, prefix, model);
  });
  // the colour scheme toggle: turn paper into ink and back, keep the drawing
  const observer = new MutationObserver(() => {
    if (!root.isConnected) {
      observer.disconnect(); // instant navigation replaced the page
      return;
    }
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const image = context.getImageData(0, 0, PAD, PAD);
    const wanted = colours().paper;
    if (image.data[0] === wanted || (image.data[0] !== 0 && image.data[0] !== 255)) return;
    for (let i = 0; i < image.data.length; i += 4) {
      image.data[i] = image.data[i + 1] = image.data[i + 2] = 255 - image.data[i];
    }
    context.putImageData(image, 0, 0);
    recognise(root, prefix, model);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
}

async function mount(root) {
  const prefix = `cnn-lenet${++widgets}`;
  root.replaceChildren(build(prefix));
  const canvas = root.querySelector(`#${prefix}-pad`);
  clearPad(canvas);
  try {
    const model = await loadModel();
    enableDrawing(root, prefix, model);
    enableControls(root, prefix, model);
    recognise(root, prefix, model);
    root.dataset.state = "ready";
  } catch (error) {
    root.querySelector(`#${prefix}-status`).textContent = `载入网络权重失败：${error.message}`;
    root.dataset.state = "error";
  }
}

document$.subscribe(() => {
  for (const root of document.querySelectorAll("[data-widget='lenet']:not([data-ready])")) {
    root.dataset.ready = "true";
    mount(root);
  }
});
