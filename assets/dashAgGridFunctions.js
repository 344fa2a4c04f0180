// Cell formatting for the report grids (layouts.components.column_defs). No data: "—", never 0.
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
function isNum(v) { return typeof v === "number" && isFinite(v); }
function blank(v) { return v === null || v === undefined || v === ""; }
dagfuncs.pct = function (v) { return isNum(v) ? (v * 100).toFixed(1) + "%" : (blank(v) ? "—" : String(v)); };
dagfuncs.dec = function (v) { return isNum(v) ? v.toFixed(2) : (blank(v) ? "—" : String(v)); };
dagfuncs.int = function (v) { return isNum(v) ? v.toLocaleString("zh-CN") : (blank(v) ? "—" : String(v)); };
// ctx: the grid's context; in English it carries the map of the reports' Chinese values (layouts.i18n.VALUES_EN).
dagfuncs.txt = function (v, ctx) {
  if (blank(v)) return "—";
  var m = ctx && ctx.values;
  return m && Object.prototype.hasOwnProperty.call(m, v) ? m[v] : String(v);
};
var TONES = {
  red: ["确认低于", "红", "超期", "未上报", "作废", "退回", "差"],
  amber: ["疑似低于", "黄", "临期", "逾期上报", "逾期完成", "未公示", "一般"],
  green: ["达标", "绿", "已上报", "已审核", "已公示", "已反馈", "好"],
  grey: ["样本不足", "不评定"],
};
dagfuncs.tone = function (v, tone) { return TONES[tone].indexOf(v) >= 0; };
dagfuncs.redRow = function (data) { return !!(data && data._red); };
