"use strict";
// The page's data: gzip-compressed JSON, base64 (a string literal parses
// far faster than a script element's text of the same size).
const HUB_DATA = "{{data}}";
// hub report's page: inflates the data the page carries, then draws the
// summary, the usage analysis and one row per credential. Every text from
// the data is escaped (esc) before it becomes markup; charts are SVG built
// from numbers.
(async function () {
  const $ = (s) => document.querySelector(s);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  let D;
  try {
    const b64 = HUB_DATA;
    let bin;
    if (Uint8Array.fromBase64) bin = Uint8Array.fromBase64(b64);
    else {
      const s = atob(b64);
      bin = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) bin[i] = s.charCodeAt(i);
    }
    const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"));
    D = JSON.parse(await new Response(stream).text());
  } catch (e) {
    $("#meta").textContent = "This page's data could not be read (" + e + "); write it again with hub report.";
    $("#meta").className = "error";
    return;
  }
  performance.mark("hub-decoded");
  const days = D.days, N = days.length, creds = D.creds;
  let unit = D.currency;

  // Amounts are US dollars; the page shows them in the chosen unit.
  const rate = () => (unit === "CNY" ? D.cnyPerUsd : 1);
  const sym = () => (unit === "CNY" ? "¥" : "$");
  const money = (v) => (v == null ? "–" : (v < 0 ? "-" : "") + sym() + Math.abs(v * rate()).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  const count = (v) => (v == null ? "–" : Math.round(v).toLocaleString("en-US"));
  const short = (v) => {
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    if (a >= 100) return v.toFixed(0);
    return v.toFixed(a >= 10 ? 1 : 2).replace(/\.?0+$/, "") || "0";
  };
  const fx = (v) => v.toFixed(1);

  // Charts. extent → [lo, hi] of the non-null values.
  function extent(vs) {
    let lo = Infinity, hi = -Infinity;
    for (const v of vs) if (v != null) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return lo === Infinity ? null : [lo, hi];
  }
  function xLabels(w, h) {
    return `<text x="0" y="${h + 11}">${esc(days[0])}</text><text x="${w}" y="${h + 11}" text-anchor="end">${esc(days[N - 1])}</text>`;
  }
  // frame wraps a chart: w×h of plot, with room for the axis labels. A
  // wide chart (the usage analysis) scales to its box.
  function frame(w, h, body, label) {
    const size = w > 300 ? `width="100%" preserveAspectRatio="xMinYMin meet"` : `width="${w + 46}" height="${h + 14}"`;
    return `<svg ${size} viewBox="-44 -2 ${w + 48} ${h + 16}" role="img" aria-label="${esc(label)}">${body}</svg>`;
  }
  // A line through the day's values, broken where a day has none.
  function lineChart(vs, w, h, fmt, label) {
    const ex = extent(vs);
    if (!ex) return `<span class="empty">no figures in this window</span>`;
    let [lo, hi] = ex;
    if (hi === lo) { hi += 1; lo = Math.max(0, lo - 1); }
    const sx = N > 1 ? w / (N - 1) : 0, sy = h / (hi - lo);
    let d = "", pen = false, single = "";
    for (let i = 0; i < N; i++) {
      const v = vs[i];
      if (v == null) { pen = false; continue; }
      const x = fx(i * sx), y = fx(h - (v - lo) * sy);
      d += (pen ? "L" : "M") + x + " " + y;
      if (!pen && (i + 1 >= N || vs[i + 1] == null)) single += `<circle cx="${x}" cy="${y}" r="1.6" class="bars"/>`;
      pen = true;
    }
    const axes = `<path class="axis" d="M0 0V${h}H${w}"/><text x="-4" y="8" text-anchor="end">${esc(fmt(hi))}</text><text x="-4" y="${h}" text-anchor="end">${esc(fmt(lo))}</text>`;
    return frame(w, h, axes + `<path class="line" d="${d}"/>` + single + xLabels(w, h), label);
  }
  // One bar per day, all in one path (a year of bars per row stays one element).
  function barChart(vs, w, h, fmt, label) {
    const ex = extent(vs);
    if (!ex) return `<span class="empty">no figures in this window</span>`;
    const hi = Math.max(ex[1], 0) || 1, bw = w / N, gap = bw > 3 ? 1 : 0;
    let d = "";
    for (let i = 0; i < N; i++) {
      const v = vs[i];
      if (v == null || v <= 0) continue;
      const y = h - (v / hi) * h;
      d += `M${fx(i * bw)} ${h}V${fx(y)}h${fx(Math.max(bw - gap, 0.5))}V${h}Z`;
    }
    const axes = `<path class="axis" d="M0 0V${h}H${w}"/><text x="-4" y="8" text-anchor="end">${esc(fmt(hi))}</text><text x="-4" y="${h}" text-anchor="end">0</text>`;
    return frame(w, h, axes + `<path class="bars" d="${d}"/>` + xLabels(w, h), label);
  }
  // The health of each day as a strip: runs of one status, one rect each.
  function healthStrip(hs, w, h, label) {
    if (!hs) return `<span class="empty">no refresh in this window</span>`;
    const bw = w / N;
    let body = "";
    for (let i = 0; i < N;) {
      let j = i;
      while (j < N && hs[j] === hs[i]) j++;
      const cls = hs[i] === "." ? "n" : hs[i];
      body += `<rect class="${cls}" x="${fx(i * bw)}" y="0" width="${fx((j - i) * bw)}" height="${h}"/>`;
      i = j;
    }
    return frame(w, h, body + xLabels(w, h), label);
  }
  // Horizontal bars: one per name, cost and requests side by side.
  function rankChart(rows, label) {
    if (!rows.length) return `<span class="empty">no figures in this window</span>`;
    const w = 360, rh = 18, h = rows.length * rh;
    const hc = Math.max(...rows.map((r) => r.cost), 0) || 1, hr = Math.max(...rows.map((r) => r.req), 0) || 1;
    let body = "";
    rows.forEach((r, i) => {
      const y = i * rh;
      body += `<text x="-4" y="${y + 12}" text-anchor="end">${esc(r.name.length > 16 ? r.name.slice(0, 15) + "…" : r.name)}</text>`;
      body += `<rect class="bars" x="0" y="${y + 2}" width="${fx((r.cost / hc) * 150)}" height="${rh - 5}"/><text x="${fx((r.cost / hc) * 150 + 4)}" y="${y + 12}">${esc(money(r.cost))}</text>`;
      body += `<rect class="u" x="210" y="${y + 2}" width="${fx((r.req / hr) * 100)}" height="${rh - 5}"/><text x="${fx(210 + (r.req / hr) * 100 + 4)}" y="${y + 12}">${esc(count(r.req))} req</text>`;
    });
    return `<svg width="100%" preserveAspectRatio="xMinYMin meet" viewBox="-110 0 ${w + 150} ${h + 4}" role="img" aria-label="${esc(label)}">${body}</svg>`;
  }

  // Filters: the options, then which rows pass.
  const tags = [...new Set(creds.flatMap((c) => c.tags || []))].sort();
  const types = [...new Set(creds.map((c) => c.type))].sort();
  for (const t of tags) $("#tag").add(new Option(t, t));
  for (const t of types) $("#type").add(new Option(t, t));
  if (D.cnyPerUsd) $("#currency").add(new Option(`CNY (¥, ${D.cnyPerUsd} per USD)`, "CNY"));
  $("#currency").value = unit;
  const hay = creds.map((c) => [c.id, c.name || "", c.url, c.type, ...(c.tags || [])].join("\n").toLowerCase());
  function passes(i) {
    const c = creds[i], q = $("#q").value.trim().toLowerCase(), tag = $("#tag").value, type = $("#type").value;
    return (!q || hay[i].includes(q)) && (!tag || (c.tags || []).includes(tag)) && (!type || c.type === type);
  }

  // The rows come first, their charts after: a row's three charts are
  // drawn when it comes into view, and the rest in the background, so the
  // page is usable at once even with a thousand credentials.
  const rowsEl = $("#creds tbody");
  const W = 150, H = 30;
  function drawRows() {
    let html = "";
    creds.forEach((c, i) => {
      const tagHTML = (c.tags || []).map((t) => `<span class="tag">${esc(t)}</span>`).join("");
      const bal = c.unl ? "unlimited" : money(c.bal);
      const today = [c.cost != null ? money(c.cost) : null, c.req != null ? count(c.req) + " req" : null].filter(Boolean).join(" · ") || "–";
      const why = (c.why || []).map(([d, r]) => `${days[d]}: ${r}`).join("\n");
      html += `<tr class="cred" data-i="${i}" data-health="${esc(c.health)}">` +
        `<td><div class="id">${esc(c.id)}</div><div class="sub">${esc(c.type)} · ${esc(c.url)}</div><div>${tagHTML}</div></td>` +
        `<td><span class="st ${esc(c.health)}">${esc(c.health)}${c.stale ? " (stale)" : ""}</span><div class="sub">${esc(c.reason || "")}</div>` +
        (c.exp ? `<div class="sub exp${c.expNote ? (c.expired ? " error" : " warning") : ""}">${c.expNote ? esc(c.expNote) + " · " : "expires "}${esc(c.exp)}</div>` : "") + `</td>` +
        `<td class="num">${esc(bal)}${c.conv ? `<div class="sub">${esc(c.conv)}</div>` : ""}</td>` +
        `<td class="num">${esc(today)}</td>` +
        `<td class="chart balance"></td><td class="chart cost"></td><td class="chart health" title="${esc(why)}"></td></tr>`;
    });
    rowsEl.innerHTML = html;
    drawn = new Uint8Array(creds.length);
    pending = creds.length;
  }
  let drawn, pending;
  function drawCharts(tr) {
    const i = +tr.dataset.i;
    if (drawn[i]) return;
    drawn[i] = 1;
    pending--;
    const c = creds[i], cells = tr.cells;
    cells[4].innerHTML = c.b ? lineChart(c.b.map((v) => (v == null ? null : v * rate())), W, H, (v) => sym() + short(v), "balance of " + c.id) : '<span class="empty">no history</span>';
    cells[5].innerHTML = c.c ? barChart(c.c.map((v) => (v == null ? null : v * rate())), W, H, (v) => sym() + short(v), "cost per day of " + c.id) : '<span class="empty">no history</span>';
    cells[6].innerHTML = healthStrip(c.h, 130, 12, "health of " + c.id);
    if (!pending) {
      performance.mark("hub-charts");
      document.documentElement.dataset.charts = "done";
    }
  }
  const seen = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) drawCharts(e.target);
  }, { rootMargin: "400px 0px" });
  // The rest, a slice at a time between frames.
  function drawInBackground() {
    const rows = rowsEl.rows;
    let next = 0;
    const step = () => {
      const end = performance.now() + 30;
      while (next < rows.length && performance.now() < end) drawCharts(rows[next++]);
      if (next < rows.length) setTimeout(step, 0);
    };
    setTimeout(step, 0);
  }
  // chartRows draws the rows' charts: those in view as they come, the rest
  // in the background (after drawRows, which makes the rows anew).
  function chartRows() {
    delete document.documentElement.dataset.charts;
    seen.disconnect();
    for (const tr of rowsEl.rows) seen.observe(tr);
    drawInBackground();
  }

  // The summary and the usage analysis cover the rows that pass the filters.
  function drawSummary(sel) {
    let bal = 0, nBal = 0, unl = 0, cost = 0, req = 0, failing = 0, warn = 0, stale = 0;
    const costDay = new Array(N).fill(null), reqDay = new Array(N).fill(null);
    const byTag = new Map(), byType = new Map();
    const add = (m, k, c, r) => { const e = m.get(k) || { name: k, cost: 0, req: 0 }; e.cost += c; e.req += r; m.set(k, e); };
    for (const i of sel) {
      const c = creds[i];
      if (c.stale) stale++;
      if (c.unl) unl++;
      else if (c.bal != null) { bal += c.bal; nBal++; }
      if (c.cost != null) cost += c.cost;
      if (c.req != null) req += c.req;
      if (c.health === "error") failing++;
      if (c.health === "warning") warn++;
      let wc = 0, wr = 0;
      for (let d = 0; d < N; d++) {
        const cv = c.c ? c.c[d] : null, rv = c.r ? c.r[d] : null;
        if (cv != null) { costDay[d] = (costDay[d] || 0) + cv; wc += cv; }
        if (rv != null) { reqDay[d] = (reqDay[d] || 0) + rv; wr += rv; }
      }
      for (const t of c.tags && c.tags.length ? c.tags : ["(no tag)"]) add(byTag, t, wc, wr);
      add(byType, c.type, wc, wr);
    }
    const card = (k, key, v, s) => `<div class="card" data-k="${key}"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="s">${esc(s)}</div></div>`;
    $("#summary").innerHTML =
      card("Total balance", "balance", money(bal), `${nBal} with a balance${unl ? `, ${unl} unlimited` : ""}${stale ? `, ${stale} stale not counted` : ""}`) +
      card("Cost today", "cost", money(cost), unit) +
      card("Requests today", "requests", count(req), "across the credentials shown") +
      card("Failing", "failing", String(failing), `${warn} with a warning`) +
      card("Credentials", "credentials", String(sel.length), `of ${creds.length}`);
    const bad = sel.filter((i) => creds[i].health === "error" || creds[i].health === "warning" || creds[i].expNote);
    const item = (c) => {
      const parts = [];
      if (c.health === "error" || c.health === "warning") parts.push(`<span class="st ${esc(c.health)}">${esc(c.health)}</span> ${esc(c.reason || "")}`);
      if (c.expNote) parts.push(`<span class="st ${c.expired ? "error" : "warning"}">${esc(c.expNote)}</span> (${esc(c.exp)})`);
      return `<li><b>${esc(c.id)}</b>: ${parts.join("; ")}</li>`;
    };
    $("#attention").innerHTML = bad.length ? `<h2>Needs attention</h2><ul>${bad.map((i) => item(creds[i])).join("")}</ul>` : "";
    $("#cost-per-day").innerHTML = barChart(costDay.map((v) => (v == null ? null : v * rate())), 520, 150, (v) => sym() + short(v), "cost per day");
    $("#requests-per-day").innerHTML = barChart(reqDay, 520, 150, short, "requests per day");
    const rank = (m) => [...m.values()].sort((a, b) => b.cost - a.cost || b.req - a.req || a.name.localeCompare(b.name)).slice(0, 12);
    $("#by-tag").innerHTML = rankChart(rank(byTag), "cost and requests per tag");
    $("#by-type").innerHTML = rankChart(rank(byType), "cost and requests per API type");
  }

  function apply() {
    const sel = [];
    for (const tr of rowsEl.rows) {
      const i = +tr.dataset.i, ok = passes(i);
      tr.hidden = !ok;
      if (ok) sel.push(i);
    }
    $("#shown").textContent = `${sel.length} of ${creds.length} credentials`;
    drawSummary(sel);
  }

  const gen = new Date(D.generated);
  $("#meta").textContent = `${creds.length} credentials · ${N} days, ${days[0]} to ${days[N - 1]} · written ${gen.toLocaleString()}` + (D.refresh ? ` · reloads every ${D.refresh} s` : "");
  drawRows();
  apply();
  for (const id of ["#q", "#tag", "#type"]) $(id).addEventListener("input", apply);
  $("#currency").addEventListener("input", () => {
    unit = $("#currency").value;
    drawRows();
    apply();
    chartRows();
  });
  if (D.refresh > 0) setTimeout(() => location.reload(), D.refresh * 1000);
  // Usable: marked for hub-bench, which reads how long the page took.
  performance.mark("hub-ready");
  document.documentElement.dataset.ready = "1";
  chartRows();
})();
