// Cell formatting for the report grids (layouts.components.column_defs). No data: "—", never 0.
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
function isNum(v) { return typeof v === "number" && isFinite(v); }
function blank(v) { return v === null || v === undefined || v === ""; }
// One formatter for every cell: Number.toLocaleString("zh-CN") builds a new one per call (2.4 ms of JavaScript in
// a 下钻 click's 25 rows, docs/SCALING.md); the output is the same.
var grouped = new Intl.NumberFormat("zh-CN");
function groupedInt(v) { return grouped.format(v); }
dagfuncs.pct = function (v) { return isNum(v) ? (v * 100).toFixed(1) + "%" : (blank(v) ? "—" : String(v)); };
// A rate with its N, the N read from another column of the row (layouts.components.RATE_N): a share of
// countable things as "100.0% (7/7)", a survey's rate as "62.5% (N=24)"; the rate alone when N is unknown.
dagfuncs.pctn = function (v, data, field, count) {
  var n = data ? data[field] : null;
  if (!isNum(v) || !isNum(n)) return dagfuncs.pct(v);
  var nn = groupedInt(n);
  return dagfuncs.pct(v) + (count ? " (" + groupedInt(Math.round(v * n)) + "/" + nn + ")" : " (N=" + nn + ")");
};
dagfuncs.dec = function (v) { return isNum(v) ? v.toFixed(2) : (blank(v) ? "—" : String(v)); };
dagfuncs.int = function (v) { return isNum(v) ? groupedInt(v) : (blank(v) ? "—" : String(v)); };
// ctx: the grid's context; in English it carries the map of the reports' Chinese values (layouts.i18n.VALUES_EN)
// and, on grids whose cells hold the reports' sentences, their phrases (layouts.i18n.grid_phrases).
function own(m, k) { return m && Object.prototype.hasOwnProperty.call(m, k); }
var compiled = null;
function slot(s, m) {  // a placeholder's text: a value, or a list of values with figures (满意13/基本满意2)
  if (own(m, s)) return m[s];
  return s.split(/([、/，,])/).map(function (p) {  // layouts.i18n._slot_value
    if (/^[、，,]$/.test(p)) return ", ";
    p = p.trim();
    var w = /^(\D+?)\s*([-+]?\d[\d.,]*%?)$/.exec(p);
    return own(m, p) ? m[p] : (w && own(m, w[1]) ? m[w[1]] + " " + w[2] : p);
  }).join("");
}
function sentence(s, ctx) {
  var ph = ctx.phrases, m = ctx.values;
  if (own(ph.literal, s)) return ph.literal[s];
  if (own(m, s)) return m[s];
  if (!compiled) compiled = ph.patterns.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  for (var i = 0; i < compiled.length; i++) {
    var g = compiled[i][0].exec(s);
    if (g) return compiled[i][1].replace(/\{(\d+)\}/g, function (_, k) { return slot(g[+k + 1], m); });
  }
  return null;
}
dagfuncs.txt = function (v, ctx) {
  if (blank(v)) return "—";
  var m = ctx && ctx.values;
  if (own(m, v)) return m[v];
  // a region's own-level row: its name and "(own level)" (layouts.i18n.value)
  if (own(m, "本级") && typeof v === "string" && v.length > 2 && v.slice(-2) === "本级") return v.slice(0, -2) + " (" + m["本级"] + ")";
  if (ctx && ctx.phrases && typeof v === "string") {
    var whole = sentence(v, ctx);
    if (whole !== null) return whole;
    if (v.indexOf("；") >= 0) return v.split("；").map(function (p) { return sentence(p, ctx) || p; }).join("; ");
  }
  return String(v);
};
var TONES = {
  red: ["确认低于", "红", "超期", "未上报", "作废", "退回", "差"],
  amber: ["疑似低于", "黄", "临期", "逾期上报", "逾期完成", "未公示", "一般"],
  green: ["达标", "绿", "已上报", "已审核", "已公示", "已反馈", "好"],
  grey: ["样本不足", "不评定"],
};
var TONE_OF = {};
Object.keys(TONES).forEach(function (tone) { TONES[tone].forEach(function (v) { TONE_OF[v] = "cell-" + tone; }); });
// layouts.components: a text cell's class from its value (none for a value of no tone).
dagfuncs.toneClass = function (v) { return Object.prototype.hasOwnProperty.call(TONE_OF, v) ? TONE_OF[v] : null; };
dagfuncs.redRow = function (data) { return !!(data && data._red); };
