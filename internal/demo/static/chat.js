// The demo's web chat: plays one Telegram user at a time against the fake
// Bot API, through the small JSON API of internal/demo. No build step.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// seq numbers every drawing of a message (new or edited), so a reader (or a
// browser test) can tell what changed since a given moment.
const state = { personas: [], current: null, stream: null, toastTimer: 0, commands: [], seq: 0 };

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || "Erreur " + res.status);
  return data;
}

function toast(text, long) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { t.hidden = true; }, long ? 5000 : 2500);
}

function time(unix) {
  const d = new Date(unix * 1000);
  return d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
}

function size(n) {
  if (n < 1024) return n + " o";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1).replace(".", ",") + " Ko";
  return (n / 1024 / 1024).toFixed(1).replace(".", ",") + " Mo";
}

function chatPath(rest) { return "api/chats/" + state.current.id + "/" + rest; }

// render draws one message: its bubble and, under a bot message, its inline keyboard.
function render(m) {
  const row = el("div", "row " + (m.from_bot ? "in" : "out"));
  row.id = "m" + m.id;
  row.dataset.id = m.id;
  row.dataset.seq = ++state.seq;
  row._keyboard = m.keyboard || null;
  const bubble = el("div", "bubble");
  if (m.photo) {
    bubble.classList.add("media");
    const img = el("img", "photo");
    img.src = m.photo.url;
    img.alt = m.photo.name || "image";
    if (m.photo.width && m.photo.height) {
      img.width = m.photo.width;
      img.style.aspectRatio = m.photo.width + " / " + m.photo.height;
      img.style.height = "auto";
    }
    img.addEventListener("load", () => scrollDown(false));
    bubble.append(img);
  }
  if (m.document) {
    const a = el("a", "doc");
    a.href = m.document.url;
    a.download = m.document.name;
    const ext = (m.document.name.split(".").pop() || "").toUpperCase().slice(0, 4);
    a.append(el("span", "icon", ext || "⤓"));
    const info = el("span", "dinfo");
    info.append(el("span", "dname", m.document.name), el("span", "dsize", size(m.document.size)));
    a.append(info);
    bubble.append(a);
  }
  if (m.text) bubble.append(el("span", "text", m.text));
  const meta = el("span", "meta");
  if (m.edited) meta.append(el("span", "edited", "modifié"));
  meta.append(time(m.date));
  bubble.append(meta);
  row.append(bubble);

  if (m.buttons && m.buttons.length) {
    bubble.classList.add("with-kb");
    const kb = el("div", "kb");
    for (const line of m.buttons) {
      const r = el("div", "kbrow");
      for (const b of line) {
        if (b.url) {
          const a = el("a", "", b.text + " ↗");
          a.href = b.url;
          a.target = "_blank";
          a.rel = "noopener";
          r.append(a);
          continue;
        }
        const btn = el("button", "", b.text);
        btn.type = "button";
        btn.addEventListener("click", () => press(m.id, b.text, btn));
        r.append(btn);
      }
      kb.append(r);
    }
    row.append(kb);
  }
  return row;
}

function nearBottom() {
  const c = $("chat");
  return c.scrollHeight - c.scrollTop - c.clientHeight < 80;
}

function scrollDown(force) {
  const c = $("chat");
  if (force || nearBottom()) c.scrollTop = c.scrollHeight;
}

// upsert puts a message in place: new ones go in id order, edits replace
// the old bubble where it is, deletions remove it.
function upsert(m) {
  const chat = $("chat");
  const old = $("m" + m.id);
  const stick = nearBottom();
  if (m.deleted) {
    if (old) old.remove();
  } else if (old) {
    old.replaceWith(render(m));
  } else {
    const node = render(m);
    let next = null;
    for (const r of chat.querySelectorAll(".row")) {
      if (Number(r.dataset.id) > m.id) { next = r; break; }
    }
    chat.insertBefore(node, next);
  }
  $("empty").hidden = chat.querySelector(".row") !== null;
  updateReplyKeyboard();
  if (stick || !m.from_bot) scrollDown(true);
}

// updateReplyKeyboard shows the reply keyboard of the newest bot message, if any.
function updateReplyKeyboard() {
  const box = $("replykb");
  box.replaceChildren();
  const rows = $("chat").querySelectorAll(".row.in");
  const last = rows[rows.length - 1];
  const kb = last && last._keyboard;
  box.hidden = !kb;
  if (!kb) return;
  for (const line of kb) {
    const r = el("div", "kbrow");
    for (const text of line) {
      const b = el("button", "", text);
      b.type = "button";
      b.addEventListener("click", () => send(text));
      r.append(b);
    }
    box.append(r);
  }
}

async function press(messageID, label, btn) {
  btn.classList.add("pending");
  try {
    await api(chatPath("press"), { message_id: messageID, button: label });
  } catch (err) {
    btn.classList.remove("pending");
    toast(err.message);
  }
}

async function send(text) {
  text = text.trim();
  if (!text) return;
  try {
    await api(chatPath("send"), { text });
    return true;
  } catch (err) {
    toast(err.message);
    return false;
  }
}

function connect() {
  if (state.stream) state.stream.close();
  const es = new EventSource(chatPath("events"));
  state.stream = es;
  const p = state.current;
  es.addEventListener("open", () => { $("status").textContent = "bot · vous êtes " + p.name + ", " + p.role; });
  es.addEventListener("error", () => { $("status").textContent = "reconnexion…"; });
  es.addEventListener("reset", () => {
    $("chat").querySelectorAll(".row").forEach((r) => r.remove());
    $("empty").hidden = false;
  });
  es.addEventListener("message", (e) => {
    upsert(JSON.parse(e.data));
  });
  es.addEventListener("answer", (e) => {
    const a = JSON.parse(e.data);
    toast(a.text, a.alert);
  });
}

// select shows p's chat. Touching the tab already shown keeps its stream:
// a new one would clear the chat and draw it again, a needless flicker.
function select(p) {
  if (state.current === p && state.stream && state.stream.readyState !== EventSource.CLOSED) {
    $("input").focus();
    return;
  }
  state.current = p;
  for (const b of $("personas").children) {
    b.setAttribute("aria-selected", String(Number(b.dataset.id) === p.id));
  }
  history.replaceState(null, "", "#" + p.id);
  $("menu").hidden = true;
  connect();
  $("input").focus();
}

function drawPersonas() {
  const nav = $("personas");
  for (const p of state.personas) {
    const b = el("button", "persona");
    b.type = "button";
    b.setAttribute("role", "tab");
    b.dataset.id = p.id;
    b.append(el("span", "pname", p.name), el("span", "prole", p.role));
    b.addEventListener("click", () => select(p));
    nav.append(b);
  }
}

async function toggleMenu() {
  const menu = $("menu");
  if (!menu.hidden) { menu.hidden = true; return; }
  try { state.commands = await api(chatPath("commands")); } catch (err) { toast(err.message); return; }
  menu.replaceChildren();
  const cmds = state.commands.length ? state.commands : [{ command: "aide", description: "ce que vous pouvez faire" }];
  for (const c of cmds) {
    const b = el("button", "");
    b.type = "button";
    b.append(el("span", "cmd", "/" + c.command), el("span", "desc", c.description));
    b.addEventListener("click", () => { menu.hidden = true; send("/" + c.command); });
    menu.append(b);
  }
  menu.hidden = false;
}

function setupComposer() {
  const input = $("input");
  const grow = () => { input.style.height = "auto"; input.style.height = Math.min(input.scrollHeight, 120) + "px"; };
  input.addEventListener("input", grow);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    $("sendbtn").disabled = true;
    if (await send(text)) { input.value = ""; grow(); }
    $("sendbtn").disabled = false;
    input.focus();
  });
  $("menubtn").addEventListener("click", toggleMenu);
}

async function init() {
  setupComposer();
  let data;
  try {
    data = await api("api/personas");
  } catch (err) {
    $("status").textContent = err.message;
    return;
  }
  state.personas = data.personas || [];
  if (data.bot) $("botname").textContent = "Relais · @" + data.bot;
  if (data.notice) { $("notice").textContent = data.notice; $("notice").hidden = false; }
  drawPersonas();
  const wanted = Number(location.hash.slice(1));
  select(state.personas.find((p) => p.id === wanted) || state.personas[0]);
}

init();
