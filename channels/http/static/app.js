// c360 web chat: plain JS, no build step. Everything from the server is inserted as text, never as HTML.
"use strict";

const TOKEN_KEY = "c360.token";
const state = { token: sessionStorage.getItem(TOKEN_KEY), thread: null, busy: false };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const money = (value, currency) =>
  value === null || value === undefined ? "–" : `${currency || ""} ${Number(value).toLocaleString("en", { maximumFractionDigits: 0 })}`.trim();

// --- talking to the server -------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}` },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(response.status, data.detail || `HTTP ${response.status}`);
  return data;
}

async function tryDemoToken() {
  try {
    const response = await fetch("/demo-token", {mode: "same-origin", credentials: "omit"});
    if (!response.ok) return false;
    const data = await response.json();
    setToken(data.token, `${data.user} (demo)`);
    return true;
  } catch (err) {
    return false;
  }
}

function setToken(token, label) {
  state.token = token;
  state.thread = null;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("who").textContent = label ? `signed in as ${label}` : "signed in";
  showChat(true);
}

function showChat(signedIn) {
  $("auth").hidden = signedIn;
  $("chat").hidden = !signedIn;
  $("signout").hidden = !signedIn;
  if (signedIn) $("message").focus();
}

function signOut(message) {
  state.token = null;
  state.thread = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $("who").textContent = "";
  $("auth-error").textContent = message || "";
  showChat(false);
}

// --- the conversation ---------------------------------------------------------------------------

function addMessage(kind, text) {
  const node = el("div", { class: `msg ${kind}`, "data-role": kind }, text);
  $("log").append(node);
  node.scrollIntoView({ block: "end" });
  return node;
}

function setBusy(busy) {
  state.busy = busy;
  $("send").disabled = busy;
  document.querySelectorAll(".pending button, .chip, .row-actions button").forEach((b) => { b.disabled = busy; });
}

async function send(message) {
  const text = message.trim();
  if (!text || state.busy) return;
  addMessage("user", text);
  $("message").value = "";
  await run(() => api("/chat", { message: text, thread_id: state.thread }));
}

async function decide(decision, changes) {
  const body = changes ? { decision, changes } : { decision };
  await run(() => api(`/chat/${encodeURIComponent(state.thread)}/decision`, body));
}

async function run(call) {
  setBusy(true);
  // a slow model (a CPU server) can take a while: after a few seconds, say it is working
  let working = null;
  const timer = setTimeout(() => { working = addMessage("bot working", "Working on it…"); }, 2500);
  try {
    const turn = await call();
    state.thread = turn.thread_id;
    showTurn(turn);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      signOut("That token is not valid (missing, unknown or revoked). Paste another one.");
      if (await tryDemoToken()) addMessage("bot failed", "Your demo session expired; a new one started. Ask again.");
    } else {
      addMessage("bot failed", `Sorry: ${err.message}`);
    }
  } finally {
    clearTimeout(timer);
    if (working && working.remove) working.remove();
    setBusy(false);
  }
}

function showTurn(turn) {
  document.querySelectorAll(".pending").forEach((box) => box.remove()); // an old question is settled
  const cards = turn.cards || [];
  // the reply often is a card's text in full: then the card's table says it better than the text
  const rich = cards.filter((c) => RICH_CARDS.has(c.tool) && c.text && turn.reply.includes(c.text));
  // a waiting write: its box shows the summary, so the bubble keeps only the reply's first line
  const summarised = turn.pending && turn.pending.summary && turn.reply.includes(turn.pending.summary.trim());
  const bubble = addMessage("bot", rich.length || summarised ? turn.reply.split("\n")[0] : turn.reply);
  for (const card of cards) {
    if (!RICH_CARDS.has(card.tool) && card.text && turn.reply.includes(card.text)) continue; // said already
    bubble.append(renderCard(card));
  }
  if (turn.pending) {
    const box = renderPending(turn.pending);
    bubble.append(box);
    box.scrollIntoView({ block: "end" });
  } else {
    bubble.scrollIntoView({ block: "start" });
  }
}

function renderPending(pending) {
  const fields = pending.fields || [];
  const form = fields.length ? editForm(fields) : null;
  return el("div", { class: "pending", "data-testid": "pending" },
    el("strong", {}, pending.action || "Confirm this change"),
    el("pre", {}, pending.summary || ""),
    pending.problem ? el("p", { class: "error" }, `⚠ ${pending.problem}`) : null,
    form,
    el("div", { class: "actions" },
      el("button", { type: "button", "data-testid": "approve", onclick: () => decide("approve") }, "Approve"),
      form ? el("button", { type: "button", class: "secondary", "data-testid": "edit",
        onclick: (event) => {
          if (form.hidden) {
            form.hidden = false;
            event.target.textContent = "Save changes";
            event.target.closest(".pending").scrollIntoView({ block: "end" }); // the buttons stay above the message box
            return;
          }
          const changes = readEdit(form, fields);
          if (Object.keys(changes).length) decide("edit", changes); else decide("approve");
        } }, "Edit") : null,
      el("button", { type: "button", class: "danger", "data-testid": "cancel", onclick: () => decide("cancel") }, "Cancel")));
}

// the edit form: one field per argument the tool's schema has (enumerations as choices), filled
// with what was proposed; only the fields a person changed are sent back, typed as the schema says
function shown(value) {
  if (value === null || value === undefined) return "";
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function editForm(fields) {
  const rows = fields.map((f) => {
    const label = f.name.replace(/_/g, " ");
    const choices = f.enum || (f.kinds.includes("boolean") ? [true, false] : null);
    const input = choices
      ? el("select", { name: f.name, "aria-label": label },
          el("option", { value: "" }, "–"),
          choices.map((v) => el("option", { value: String(v), selected: shown(f.value) === String(v) }, String(v).replace(/_/g, " "))))
      : el("input", { name: f.name, value: shown(f.value), "aria-label": label, title: f.description || "" });
    return el("label", {}, el("span", {}, label), input);
  });
  const form = el("form", { class: "edit", "data-testid": "edit-form", onsubmit: (e) => e.preventDefault() }, rows);
  form.hidden = true;
  return form;
}

function readEdit(form, fields) {
  const changes = {};
  for (const f of fields) {
    const raw = form.elements[f.name].value.trim();
    if (raw === shown(f.value)) continue;
    if (!raw) changes[f.name] = f.kinds.includes("array") ? [] : null;
    else if (f.kinds.includes("array")) changes[f.name] = raw.split(",").map((p) => p.trim()).filter(Boolean);
    else if (f.kinds.includes("boolean")) changes[f.name] = raw === "true";
    else if ((f.kinds.includes("integer") || f.kinds.includes("number")) && !Number.isNaN(Number(raw))) changes[f.name] = Number(raw);
    else changes[f.name] = raw;
  }
  return changes;
}

// --- cards ---------------------------------------------------------------------------------------

const RICH_CARDS = new Set(["call_priority_list", "get_360", "draft_reply", "rfm_segment"]);

function renderCard(card) {
  const render = {
    call_priority_list: callListCard, get_360: customerCard, draft_reply: draftCard, rfm_segment: rfmCard,
  }[card.tool];
  if (render) return render(card);
  return el("div", { class: "card", "data-card": card.tool }, card.text || "");
}

// dates as people read them ("Fri 20 Nov 2026, 10:30"), in the time the server wrote them in
function when(iso, withTime) {
  if (!iso) return "–";
  const text = String(iso);
  const day = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return text;
  const date = day.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const time = text.slice(11, 16);
  return withTime && /^\d\d:\d\d$/.test(time) ? `${date}, ${time}` : date;
}

function temperature(value) {
  return el("span", { class: `pill ${value || ""}` }, value || "–");
}

function callListCard(card) {
  const rows = (card.entries || []).map((e) => el("tr", { "data-customer-id": e.customer_id },
    el("td", {}, e.rank),
    el("td", {}, el("strong", {}, e.name), el("div", { class: "meta" }, e.phone || e.email || "")),
    el("td", {}, e.score),
    el("td", {}, temperature(e.temperature)),
    el("td", {}, (e.reasons || []).join("; ") || "routine check-in"),
    el("td", {}, (e.offer_type || "").replace(/_/g, " "),
      el("div", { class: "meta" }, (e.recommended_products || []).map((p) => p.name).join(", "))),
    el("td", {}, e.best_call_time ? e.best_call_time.window : "–"),
    el("td", { class: "row-actions" },
      el("button", { type: "button", class: "secondary", onclick: () => send(`tell me about #${e.customer_id}`) }, "360"),
      el("button", { type: "button", class: "secondary", "data-testid": "log-call",
        onclick: () => { const box = $("message"); box.value = `log a call with #${e.customer_id}, `; box.focus(); } },
        "Log call"))));
  const title = `Call list for ${card.date}` + (card.filters && Object.keys(card.filters).length
    ? ` (${Object.entries(card.filters).map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`).join(", ")})` : "");
  return el("div", { class: "card", "data-card": "call_priority_list" },
    el("h3", {}, title),
    rows.length ? el("table", { "data-testid": "call-list" },
      el("thead", {}, el("tr", {}, ["#", "Customer", "Score", "Temp.", "Why", "Offer", "Best time", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows)) : el("p", {}, "Nobody to call for these filters."));
}

function field(label, value) {
  return el("div", {}, el("span", {}, label), value === null || value === undefined || value === "" ? "–" : value);
}

function consentText(prefs) {
  const consent = (prefs && prefs.consent) || {};
  const known = Object.entries(consent).filter(([, ok]) => ok !== null && ok !== undefined);
  return known.length ? known.map(([ch, ok]) => `${ch} ${ok ? "yes" : "no"}`).join(", ") : "not asked";
}

function retention(churn) {
  // drivers and what to do, only when the risk is worth acting on
  if (!churn || !["medium", "high"].includes(churn.level)) return null;
  return el("div", { class: "retention", "data-testid": "retention" },
    el("p", {}, `Churn risk ${churn.level}: ${(churn.drivers || []).join("; ")}`),
    (churn.suggestions || []).length ? el("ul", {}, churn.suggestions.map((s) => el("li", {}, s))) : null);
}

function customerCard(card) {
  const p = card.profile || {}, m = card.metrics || {}, cur = card.currency;
  const contact = [p.phone, p.email].filter(Boolean).join(" · ");
  const events = (card.upcoming_events || []).map((e) => `${e.kind} of ${e.whose === "self" ? p.name : e.whose} `
    + (e.days_until === 0 ? "today" : e.days_until === 1 ? "tomorrow" : `in ${e.days_until} days`));
  return el("div", { class: "card", "data-card": "get_360" },
    el("h3", {}, `${p.name} (#${p.id})`, " ", temperature(card.temperature)),
    el("p", { class: "meta" }, [p.city, (card.lifecycle_stage || "").replace(/_/g, " "),
      card.assigned_to ? `assigned to ${card.assigned_to}` : "unassigned", contact].filter(Boolean).join(" · ")),
    el("div", { class: "grid" },
      field("Lifetime value", money(m.lifetime_value, cur)),
      field("Orders", m.order_count),
      field("Average order", money(m.average_order_value, cur)),
      field("Last order", m.days_since_last_order === null ? "never" : `${m.days_since_last_order} days ago`),
      field("RFM", card.rfm ? `${card.rfm.score} · ${card.rfm.segment}` : "no orders yet"),
      field("Health", card.health ? `${Math.round(card.health.score)} (${card.health.level})` : null),
      field("Churn risk", card.churn ? `${Math.round(card.churn.probability * 100)}% (${card.churn.level})` : null),
      field("Value next year", card.clv && card.clv.predicted_value_365d !== null ? money(card.clv.predicted_value_365d, cur) : "–"),
      field("Family", (card.family || []).map((f) => `${f.name} (${f.relationship})`).join(", ")),
      field("Coming up", events.join("; ")),
      field("Open carts", (card.open_dropoffs || []).length),
      field("Loyalty", card.loyalty ? `${card.loyalty.points_balance} points · ${card.loyalty.tier}` : null),
      field("Tickets", card.tickets ? `${card.tickets.open_count} open` + (card.tickets.overdue_count ? ` (${card.tickets.overdue_count} past SLA)` : "")
        + (card.tickets.average_csat !== null && card.tickets.average_csat !== undefined ? ` · CSAT ${card.tickets.average_csat}` : "") : null),
      field("Consent", consentText(card.preferences)),
      field("Quiet hours", card.preferences && card.preferences.quiet_hours_start
        ? `${card.preferences.quiet_hours_start.slice(0, 5)}-${(card.preferences.quiet_hours_end || "").slice(0, 5)}` : "none")),
    retention(card.churn),
    (card.insights || []).length ? el("ul", {}, card.insights.slice(0, 4).map((i) => el("li", {}, `${i.title}: ${i.recommendation}`))) : null,
    (card.timeline || []).length ? el("table", {},
      el("tbody", {}, card.timeline.slice(0, 6).map((t) => el("tr", {},
        el("td", {}, when(t.occurred_at, false)), el("td", {}, t.type), el("td", {}, t.title))))) : null);
}

function draftCard(card) {
  const verdict = card.allowed
    ? el("span", { class: "verdict allowed", "data-testid": "verdict" }, `✓ may be sent now on ${card.channel}`)
    : el("span", { class: "verdict blocked", "data-testid": "verdict" },
      `✗ blocked: ${(card.blocked_reason || "").replace(/_/g, " ")}`
      + (card.next_allowed_at ? `; allowed from ${when(card.next_allowed_at, true)}` : "")
      + (card.alternative_channel ? `; try ${card.alternative_channel}` : ""));
  return el("div", { class: "card", "data-card": "draft_reply" },
    el("h3", {}, `Draft ${card.channel} for ${card.customer_name} (not sent)`),
    verdict,
    card.subject ? el("p", {}, `Subject: ${card.subject}`) : null,
    el("div", { class: "draft" }, card.draft || ""),
    (card.notes || []).length ? el("p", { class: "meta" }, card.notes.join(" · ")) : null);
}

function rfmCard(card) {
  if (card.customer) {
    const c = card.customer;
    return el("div", { class: "card", "data-card": "rfm_segment" },
      el("h3", {}, `${c.name}: RFM ${c.score} · ${c.segment}`), el("ul", {}, (c.why || []).map((w) => el("li", {}, w))));
  }
  if (card.members && card.members.length) {
    return el("div", { class: "card", "data-card": "rfm_segment" },
      el("h3", {}, `${card.segment}: ${card.segment_count} customers`),
      el("table", {}, el("thead", {}, el("tr", {}, ["Customer", "RFM", "Orders", "Spent", "Last order"].map((h) => el("th", {}, h)))),
        el("tbody", {}, card.members.map((c) => el("tr", {}, el("td", {}, c.name), el("td", {}, c.score),
          el("td", {}, c.frequency), el("td", {}, money(c.monetary)), el("td", {}, `${c.recency_days} days ago`))))));
  }
  if (card.distribution && card.distribution.length) {
    return el("div", { class: "card", "data-card": "rfm_segment" },
      el("h3", {}, `RFM segments (${card.with_purchase} customers with a purchase)`),
      el("table", {}, el("tbody", {}, card.distribution.map((s) => el("tr", {},
        el("td", {}, s.segment), el("td", {}, s.count), el("td", {}, `${(s.share * 100).toFixed(1)}%`))))));
  }
  return el("div", { class: "card", "data-card": "rfm_segment" }, card.text || "");
}

// --- start ---------------------------------------------------------------------------------------

$("ask-form").addEventListener("submit", (event) => { event.preventDefault(); send($("message").value); });
$("message").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send($("message").value); }
});
document.querySelectorAll(".chip").forEach((chip) => chip.addEventListener("click", () => send(chip.textContent)));
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token-input").value.trim();
  if (!token) return;
  $("token-input").value = "";
  fetch("/me", { headers: { Authorization: `Bearer ${token}` } }).then(async (response) => {
    if (!response.ok) { $("auth-error").textContent = "That token is not valid (missing, unknown or revoked)."; return; }
    const me = await response.json();
    $("auth-error").textContent = "";
    setToken(token, `${me.name} (${me.role})`);
  });
});
$("signout").addEventListener("click", () => signOut(""));

(async () => {
  if (state.token) {
    const response = await fetch("/me", { headers: { Authorization: `Bearer ${state.token}` } }).catch(() => null);
    if (response && response.ok) { const me = await response.json(); setToken(state.token, `${me.name} (${me.role})`); return; }
    signOut("");
  }
  if (!(await tryDemoToken())) showChat(false);
})();
