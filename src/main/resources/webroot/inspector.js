// The Funnel inspector: plain DOM code over the public JSON API, no build step.
// Every value from the server is written with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new Error(body.detail || r.status + " " + r.statusText);
    e.status = r.status;
    throw e;
  }
  return body;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

const fmt = (x, digits) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits));
const ago = (ts, now) => {
  const s = Math.max(0, now - ts);
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400 * 2) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
};

function videoLabel(item, onClick) {
  const name = item.title ? item.title : item.video;
  const link = el("a", { class: "video-link", href: "#", "data-video": item.video, text: name });
  link.addEventListener("click", (ev) => {
    ev.preventDefault();
    onClick(item.video, name);
  });
  return link;
}

const topicChip = (topic) => (topic ? el("span", { class: "topic", text: topic }) : null);

// ---- profile ---------------------------------------------------------------------------

function renderProfile(user, profile) {
  const box = $("profile");
  const list = $("history");
  list.replaceChildren();
  $("history-count").textContent = "";
  if (!profile) {
    box.className = "muted";
    box.textContent =
      "No stored profile for " + user + ": recommendations come from context and popularity.";
    return;
  }
  box.className = "";
  box.replaceChildren(
    el("div", { text: "user " + profile.user }),
    el("div", {
      class: "muted",
      text: [
        profile.geo || "geo ?",
        profile.language || "lang ?",
        "gender " + profile.gender,
        profile.age ? "age " + profile.age : "age ?",
        profile.impressions + " impressions",
      ].join(" · "),
    }),
    profile.searches.length
      ? el("div", { class: "muted", text: "searches: " + profile.searches.join(" ") })
      : null
  );
  $("history-count").textContent = "(" + profile.history.length + ", newest first)";
  const now = profile.history.length ? profile.history[0].ts : 0;
  for (const h of profile.history) {
    list.append(
      el(
        "li",
        { class: "history-item" },
        videoLabel(h, showRelated),
        " ",
        topicChip(h.topic),
        el("span", { class: "muted", text: " " + ago(h.ts, now) })
      )
    );
  }
}

// ---- funnel and recommendations ----------------------------------------------------------

function renderFunnel(explain, totalMs) {
  const stage = Object.fromEntries(explain.stages.map((s) => [s.stage, s]));
  const catalogue = stage.index.in || 0;
  const rows = [
    ["catalogue", catalogue, null, true],
    ["retrieved (index)", stage.index.out, stage.index.ms, stage.index.ran],
    ["returned (rank)", stage.rank.out, stage.rank.ms, stage.rank.ran],
  ];
  const max = Math.log(Math.max(catalogue, stage.rank.out || 1) + 1);
  const funnel = $("funnel");
  funnel.replaceChildren();
  for (const [label, n, ms, ran] of rows) {
    const width = 8 + (92 * Math.log((n || 0) + 1)) / max;
    const text = (n === null || n === undefined ? "–" : n) + (ms === null ? " videos" : " · " + fmt(ms, 2) + " ms");
    funnel.append(
      el(
        "div",
        { class: "funnel-row" },
        el("span", { class: "funnel-label", text: label }),
        el(
          "span",
          { class: "funnel-track" },
          el("span", {
            class: "funnel-bar" + (ran ? "" : " skipped"),
            style: "width:" + width.toFixed(1) + "%",
            "data-stage": label,
            text: ran ? text : text + " (skipped)",
          })
        )
      )
    );
  }
  const timings = $("timings");
  timings.replaceChildren();
  const parts = explain.stages.map((s) => [s.stage, s.ms]);
  const known = parts.reduce((a, [, ms]) => a + ms, 0);
  const total = Math.max(totalMs || known, known, 0.001);
  if (total - known > 0.01) parts.push(["other", total - known]);
  $("timing-text").textContent =
    "total " + fmt(total, 2) + " ms = " + parts.map(([n, ms]) => n + " " + fmt(ms, 2)).join(" + ");
  for (const [name, ms] of parts) {
    timings.append(
      el("span", {
        class: "t-" + name,
        style: "flex:" + Math.max(ms, total / 200) + " 0 0",
        title: name + ": " + fmt(ms, 3) + " ms",
        text: name + " " + fmt(ms, 2),
      })
    );
  }
}

function featureBars(item, names) {
  if (!item.features) return el("span", { class: "muted", text: "not retrieved" });
  const box = el("span", { class: "features" });
  const lines = [];
  for (const name of Object.keys(item.features)) {
    const f = item.features[name];
    const cdf = f.cdf === null ? 0 : f.cdf;
    box.append(el("i", { style: "height:" + Math.max(2, cdf * 22).toFixed(1) + "px" }));
    lines.push(name + ": raw " + f.raw + ", cdf " + fmt(f.cdf, 3));
  }
  box.title = lines.join("\n");
  return box;
}

function renderRecommendations(body) {
  const tbody = $("recs").tBodies[0];
  tbody.replaceChildren();
  const explain = body.explain;
  const flags = [
    body.items.length + " items",
    "model " + body.model,
    body.personalized ? "personalized" : "not personalized",
    body.degraded ? "DEGRADED" : null,
    explain ? "path " + explain.path : null,
    explain && explain.reason ? explain.reason : null,
  ].filter(Boolean);
  $("recs-summary").textContent = "(" + flags.join(" · ") + ")";
  const described = explain ? explain.items : [];
  body.items.forEach((item, i) => {
    const e = described[i] || { video: item.video };
    const row = el(
      "tr",
      { class: "rec", "data-video": item.video },
      el("td", { class: "num", text: String(i + 1) }),
      el("td", {}, videoLabel(e, showRelated), el("div", { class: "muted", text: item.video })),
      el("td", {}, topicChip(e.topic)),
      el("td", { class: "num", text: fmt(item.score, 1) }),
      el("td", { class: "num", text: e.retrieval ? String(e.retrieval.rank) : "–" }),
      el("td", { class: "num", text: e.retrieval ? fmt(e.retrieval.score, 2) : "–" }),
      el("td", {}, explain ? featureBars(e) : null)
    );
    tbody.append(row);
  });
}

// ---- related ---------------------------------------------------------------------------

let currentUser = null;

async function showRelated(video, name) {
  document.querySelectorAll("tr.rec.selected").forEach((r) => r.classList.remove("selected"));
  const row = document.querySelector('tr.rec[data-video="' + CSS.escape(video) + '"]');
  if (row) row.classList.add("selected");
  $("related-title").className = "";
  $("related-title").textContent = "Watch next after " + name + " (" + video + ")";
  const list = $("related");
  list.replaceChildren(el("li", { class: "muted", text: "loading…" }));
  try {
    const q = "?count=10&explain=true" + (currentUser ? "&user=" + encodeURIComponent(currentUser) : "");
    const body = await getJson("/v1/videos/" + encodeURIComponent(video) + "/related" + q);
    list.replaceChildren();
    body.explain.items.forEach((item) => {
      list.append(
        el(
          "li",
          { class: "related-item", "data-video": item.video },
          videoLabel(item, showRelated),
          " ",
          topicChip(item.topic),
          el("span", { class: "muted", text: " " + fmt(item.score, 1) })
        )
      );
    });
  } catch (e) {
    list.replaceChildren();
    showError("related videos of " + video + ": " + e.message);
  }
}

// ---- loading ---------------------------------------------------------------------------

async function load(user, count) {
  showError(null);
  currentUser = user;
  const params = new URLSearchParams({ user, count: String(count) });
  history.replaceState(null, "", "/?" + params.toString());
  const enc = encodeURIComponent(user);
  const profile = getJson("/v1/users/" + enc).catch((e) => {
    if (e.status === 404) return null;
    throw e;
  });
  const recs = fetch("/v1/recommendations/" + enc + "?explain=true&count=" + count);
  try {
    renderProfile(user, await profile);
  } catch (e) {
    showError("profile: " + e.message);
  }
  try {
    const r = await recs;
    const body = await r.json();
    if (!r.ok) throw new Error(body.detail || String(r.status));
    const total = /total;dur=([0-9.]+)/.exec(r.headers.get("Server-Timing") || "");
    renderFunnel(body.explain, total ? Number(total[1]) : null);
    renderRecommendations(body);
  } catch (e) {
    showError("recommendations: " + e.message);
  }
}

async function init() {
  const form = $("user-form");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const user = $("user-input").value.trim();
    const count = Math.min(100, Math.max(1, parseInt($("count-input").value, 10) || 20));
    if (user) load(user, count);
  });
  getJson("/ready")
    .then((r) => ($("model").textContent = "model " + r.model + " · " + r.videos + " videos · store " + r.store))
    .catch(() => ($("model").textContent = "not ready"));
  const params = new URLSearchParams(location.search);
  if (params.get("count")) $("count-input").value = params.get("count");
  if (params.get("user")) {
    $("user-input").value = params.get("user");
    form.requestSubmit();
  }
  try {
    const sample = await getJson("/v1/users?sample=30");
    const list = $("user-list");
    for (const u of sample.users) list.append(el("option", { value: u }));
    if (currentUser === null && sample.users.length) {
      const picks = sample.users.slice(0, 12).map((u) =>
        el("a", {
          class: "video-link pick-user",
          href: "#",
          text: u,
          onclick: (ev) => {
            ev.preventDefault();
            $("user-input").value = u;
            form.requestSubmit();
          },
        })
      );
      const box = $("profile");
      box.replaceChildren("Pick a user: ");
      picks.forEach((p, i) => box.append(p, i + 1 < picks.length ? ", " : ""));
    }
  } catch (e) {
    // The picker is a convenience: typing an id still works.
  }
}

init();
