"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod2, isNodeMode, target) => (target = mod2 != null ? __create(__getProtoOf(mod2)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod2 || !mod2.__esModule ? __defProp(target, "default", { value: mod2, enumerable: true }) : target,
  mod2
));
var __toCommonJS = (mod2) => __copyProps(__defProp({}, "__esModule", { value: true }), mod2);

// src/tick/tick.lambda.ts
var tick_lambda_exports = {};
__export(tick_lambda_exports, {
  handler: () => handler
});
module.exports = __toCommonJS(tick_lambda_exports);

// src/aws/engine-from-env.ts
var import_client_dynamodb2 = require("@aws-sdk/client-dynamodb");
var import_client_lambda = require("@aws-sdk/client-lambda");
var import_client_sqs2 = require("@aws-sdk/client-sqs");

// node_modules/croner/dist/croner.js
function g(s3, e, t, n2 = 0, r = 0, a = 0, i = 0) {
  let o = s3 >= 0 && s3 < 100, u = Date.UTC(o ? s3 + 400 : s3, e, t, n2, r, a, i);
  return o ? u - 126227808e5 : u;
}
function D(s3) {
  return g(s3.y, s3.m - 1, s3.d, s3.h, s3.i, s3.s);
}
function w(s3, e) {
  return s3.y === e.y && s3.m === e.m && s3.d === e.d && s3.h === e.h && s3.i === e.i && s3.s === e.s;
}
function O(s3) {
  let e = s3.substring(9);
  return e.includes("Z") || e.includes("+") || e.includes("-");
}
function Z(s3, e) {
  let t = new Date(Date.parse(s3));
  if (isNaN(t)) throw new Error("Invalid ISO8601 passed to timezone parser.");
  return O(s3) ? { tp: T(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), "Etc/UTC"), ms: t.getUTCMilliseconds() } : { tp: T(t.getFullYear(), t.getMonth() + 1, t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds(), e), ms: t.getMilliseconds() };
}
function v(s3, e, t) {
  let { tp: n2, ms: r } = Z(s3, e);
  return new Date(N(n2, t).getTime() + r);
}
function N(s3, e) {
  let t = _(s3);
  if (t.kind === "single") return t.date;
  if (t.kind === "ambiguous") return t.earlier;
  if (e) throw new Error("Invalid date passed to fromTZ()");
  return t.after;
}
function _(s3) {
  let e = D(s3), t = (i) => R(new Date(i), s3.tz), n2 = e - t(e), r = y(new Date(n2), s3.tz);
  if (w(r, s3)) {
    let i = D(r) - n2, o = n2 - (t(n2 - E) - i);
    if (o < n2 && w(y(new Date(o), s3.tz), s3)) return { kind: "ambiguous", earlier: new Date(o), later: new Date(n2) };
    let u = n2 + (i - t(n2 + E));
    return u > n2 && w(y(new Date(u), s3.tz), s3) ? { kind: "ambiguous", earlier: new Date(n2), later: new Date(u) } : { kind: "single", date: new Date(n2) };
  }
  let a = e - (D(r) - n2);
  return w(y(new Date(a), s3.tz), s3) ? { kind: "single", date: new Date(a) } : { kind: "gap", before: new Date(Math.min(n2, a)), after: new Date(Math.max(n2, a)) };
}
var E = 3 * 36e5;
function R(s3, e) {
  return D(y(s3, e)) - (s3.getTime() - s3.getUTCMilliseconds());
}
function k(s3, e, t) {
  let n2 = R(new Date(s3), t);
  for (; e - s3 > 1e3; ) {
    let r = s3 + Math.floor((e - s3) / 2e3) * 1e3;
    R(new Date(r), t) === n2 ? s3 = r : e = r;
  }
  return e;
}
function U(s3, e) {
  let t = _(y(new Date(s3), e));
  if (t.kind === "ambiguous") return s3 < t.later.getTime() ? "earlier" : "later";
}
var H = g(1, 0, 1);
var S = 864e5;
var W = /* @__PURE__ */ new Map();
function y(s3, e) {
  if (e === void 0) return T(s3.getFullYear(), s3.getMonth() + 1, s3.getDate(), s3.getHours(), s3.getMinutes(), s3.getSeconds());
  let t = W.get(e), n2;
  try {
    t || (t = new Intl.DateTimeFormat("en-US", { timeZone: e, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hour12: false }), W.set(e, t)), n2 = t.formatToParts(s3);
  } catch (i) {
    let o = i instanceof Error ? i.message : String(i);
    throw new RangeError(`toTZ: Invalid timezone '${e}' or date. Please provide a valid IANA timezone (e.g., 'America/New_York', 'Europe/Stockholm'). Original error: ${o}`);
  }
  let r = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (let i of n2) (i.type === "year" || i.type === "month" || i.type === "day" || i.type === "hour" || i.type === "minute" || i.type === "second") && (r[i.type] = parseInt(i.value, 10));
  if (isNaN(r.year) || isNaN(r.month) || isNaN(r.day) || isNaN(r.hour) || isNaN(r.minute) || isNaN(r.second)) throw new Error(`toTZ: Failed to parse all date components from timezone '${e}'. This may indicate an invalid date or timezone configuration. Parsed components: ${JSON.stringify(r)}`);
  let a = s3.getTime() - H;
  return (a < -S || a < S && r.month === 12) && (r.year = 1 - r.year), r.hour === 24 && (r.hour = 0), { y: r.year, m: r.month, d: r.day, h: r.hour, i: r.minute, s: r.second, tz: e };
}
function T(s3, e, t, n2, r, a, i) {
  return { y: s3, m: e, d: t, h: n2, i: r, s: a, tz: i };
}
var x = [1, 2, 4, 8, 16];
var C = class s {
  pattern;
  timezone;
  mode;
  alternativeWeekdays;
  sloppyRanges;
  fixedTimeRule;
  second;
  minute;
  hour;
  day;
  month;
  dayOfWeek;
  year;
  lastDayOfMonth;
  lastWeekday;
  nearestWeekdays;
  starDOM;
  starDOW;
  starYear;
  useAndLogic;
  isFixedTime;
  constructor(e, t, n2) {
    this.pattern = e, this.timezone = t, this.mode = n2?.mode ?? "auto", this.alternativeWeekdays = n2?.alternativeWeekdays ?? false, this.sloppyRanges = n2?.sloppyRanges ?? false, this.fixedTimeRule = n2?.fixedTimeRule ?? "single-value", this.second = Array(60).fill(0), this.minute = Array(60).fill(0), this.hour = Array(24).fill(0), this.day = Array(31).fill(0), this.month = Array(12).fill(0), this.dayOfWeek = Array(7).fill(0), this.year = [], this.lastDayOfMonth = false, this.lastWeekday = false, this.nearestWeekdays = Array(31).fill(0), this.starDOM = false, this.starDOW = false, this.starYear = false, this.useAndLogic = false, this.isFixedTime = false, this.parse();
  }
  parse() {
    if (!(typeof this.pattern == "string" || this.pattern instanceof String)) throw new TypeError("CronPattern: Pattern has to be of type string.");
    this.pattern.indexOf("@") >= 0 && (this.pattern = this.handleNicknames(this.pattern).trim());
    let e = this.pattern.match(/\S+/g) || [""], t = e.length;
    if (e.length < 5 || e.length > 7) throw new TypeError("CronPattern: invalid configuration format ('" + this.pattern + "'), exactly five, six, or seven space separated parts are required.");
    if (this.mode !== "auto") {
      let i;
      switch (this.mode) {
        case "5-part":
          i = 5;
          break;
        case "6-part":
          i = 6;
          break;
        case "7-part":
          i = 7;
          break;
        case "5-or-6-parts":
          i = [5, 6];
          break;
        case "6-or-7-parts":
          i = [6, 7];
          break;
        default:
          i = 0;
      }
      if (!(Array.isArray(i) ? i.includes(t) : t === i)) {
        let u = Array.isArray(i) ? i.join(" or ") : i.toString();
        throw new TypeError(`CronPattern: mode '${this.mode}' requires exactly ${u} parts, but pattern '${this.pattern}' has ${t} parts.`);
      }
    }
    if (e.length === 5 && e.unshift("0"), e.length === 6 && e.push("*"), this.pattern.indexOf("?") >= 0) for (let i = 0; i < e.length; i++) e[i] = e[i].replace(/\?/g, "*");
    if (e[3].toUpperCase() === "LW") this.lastWeekday = true, e[3] = "";
    else if (e[3].toUpperCase().indexOf("L") >= 0) {
      let i = e[3].split(",");
      if (i.length > 1 && i.some((o) => o.toUpperCase() === "LW")) throw new TypeError(`CronPattern: Syntax error, LW can not be in a list in day-of-month ('${e[3]}').`);
      if (i.some((o) => o === "" || o.toUpperCase() !== "L" && /l/i.test(o))) throw new TypeError("CronPattern: Syntax error, L has to be a value of its own in day-of-month ('" + e[3] + "').");
      e[3] = i.filter((o) => o.toUpperCase() !== "L").join(","), this.lastDayOfMonth = true;
    }
    if (e[3] == "*" && (this.starDOM = true), e[6] == "*" && (this.starYear = true), e[4].length >= 3 && (e[4] = this.replaceAlpha(e[4], s.MONTH_NAMES)), e[5].length >= 3 && (e[5] = this.alternativeWeekdays ? this.replaceAlpha(e[5], s.DAY_NAMES_QUARTZ) : this.replaceAlpha(e[5], s.DAY_NAMES)), e[5].startsWith("+") && (this.useAndLogic = true, e[5] = e[5].substring(1), e[5] === "")) throw new TypeError("CronPattern: Day-of-week field cannot be empty after '+' modifier.");
    switch (e[5] == "*" && (this.starDOW = true), this.mode) {
      case "5-part":
        e[0] = "0", e[6] = "*";
        break;
      case "6-part":
        e[6] = "*";
        break;
      case "5-or-6-parts":
        e[6] = "*";
        break;
      case "6-or-7-parts":
        break;
      case "7-part":
      case "auto":
        break;
    }
    this.throwAtIllegalCharacters(e), this.partToArray("second", e[0], 0, 1), this.partToArray("minute", e[1], 0, 1), this.partToArray("hour", e[2], 0, 1), this.partToArray("day", e[3], -1, 1), this.partToArray("month", e[4], -1, 1);
    let n2 = this.alternativeWeekdays ? -1 : 0;
    this.partToArray("dayOfWeek", e[5], n2, 63), e[6] === "*" ? this.year = Array(1e4).fill(1) : (this.year = Array(1e4).fill(0), this.partToArray("year", e[6], 0, 1)), !this.alternativeWeekdays && this.dayOfWeek[7] && (this.dayOfWeek[0] = this.dayOfWeek[7]);
    let r = this.fixedTimeRule === "single-value", a = (i, o) => !i.includes("*") && !i.includes("/") && (!r || o.filter((u) => u).length === 1);
    this.isFixedTime = a(e[0], this.second) && a(e[1], this.minute) && a(e[2], this.hour);
  }
  partToArray(e, t, n2, r) {
    let a = this[e];
    if (t === "" && !(e === "day" && (this.lastDayOfMonth || this.lastWeekday))) throw new TypeError("CronPattern: configuration entry " + e + " (" + t + ") is empty, check for trailing spaces.");
    if (t === "*") return a.fill(r);
    let i = t.split(",");
    if (i.length > 1) for (let o of i) this.partToArray(e, o, n2, r);
    else t.includes("-") && t.includes("/") ? this.handleRangeWithStepping(t, e, n2, r) : t.includes("-") ? this.handleRange(t, e, n2, r) : t.includes("/") ? this.handleStepping(t, e, n2, r) : t !== "" && this.handleNumber(t, e, n2, r);
  }
  throwAtIllegalCharacters(e) {
    for (let t = 0; t < e.length; t++) if ((t === 3 ? /[^/*0-9,\-WwLl]+/ : t === 5 ? /[^/*0-9,\-#Ll]+/ : /[^/*0-9,\-]+/).test(e[t])) throw new TypeError("CronPattern: configuration entry " + t + " (" + e[t] + ") contains illegal characters.");
  }
  handleNumber(e, t, n2, r) {
    let a = this.extractNth(e, t), i = e.toUpperCase().includes("W");
    if (t !== "day" && i) throw new TypeError("CronPattern: Nearest weekday modifier (W) only allowed in day-of-month.");
    i && (t = "nearestWeekdays");
    let o = i ? a[0].replace(/W$/i, "") : a[0], u = s.toNumber(o) + n2;
    if (isNaN(u)) throw new TypeError("CronPattern: " + t + " is not a number: '" + e + "'");
    this.setPart(t, u, a[1] || r);
  }
  setPart(e, t, n2) {
    if (!Object.prototype.hasOwnProperty.call(this, e)) throw new TypeError("CronPattern: Invalid part specified: " + e);
    if (e === "dayOfWeek") {
      if (t === 7 && (t = 0), t < 0 || t > 6) throw new RangeError("CronPattern: Invalid value for dayOfWeek: " + t);
      this.setNthWeekdayOfMonth(t, n2);
      return;
    }
    if (e === "second" || e === "minute") {
      if (t < 0 || t >= 60) throw new RangeError("CronPattern: Invalid value for " + e + ": " + t);
    } else if (e === "hour") {
      if (t < 0 || t >= 24) throw new RangeError("CronPattern: Invalid value for " + e + ": " + t);
    } else if (e === "day" || e === "nearestWeekdays") {
      if (t < 0 || t >= 31) throw new RangeError("CronPattern: Invalid value for " + e + ": " + t);
    } else if (e === "month") {
      if (t < 0 || t >= 12) throw new RangeError("CronPattern: Invalid value for " + e + ": " + t);
    } else if (e === "year" && (t < 1 || t >= 1e4)) throw new RangeError("CronPattern: Invalid value for " + e + ": " + t + " (supported range: 1-9999)");
    this[e][t] = n2;
  }
  static toNumber(e) {
    return /^\d+$/.test(e) ? parseInt(e, 10) : NaN;
  }
  validateNotNaN(e, t) {
    if (isNaN(e)) throw new TypeError(t);
  }
  validateRange(e, t, n2, r, a) {
    if (e > t) throw new TypeError("CronPattern: From value is larger than to value: '" + a + "'");
    if (n2 !== void 0) {
      if (n2 === 0) throw new TypeError("CronPattern: Syntax error, illegal stepping: 0");
      if (n2 > this[r].length) throw new TypeError("CronPattern: Syntax error, steps cannot be greater than maximum value of part (" + this[r].length + ")");
    }
  }
  handleRangeWithStepping(e, t, n2, r) {
    if (e.toUpperCase().includes("W")) throw new TypeError("CronPattern: Syntax error, W is not allowed in ranges with stepping.");
    let a = this.extractNth(e, t), i = a[0].match(/^(\d+)-(\d+)\/(\d+)$/);
    if (i === null) throw new TypeError("CronPattern: Syntax error, illegal range with stepping: '" + e + "'");
    let [, o, u, l] = i, h = parseInt(o, 10) + n2, m = parseInt(u, 10) + n2, d = parseInt(l, 10);
    this.validateNotNaN(h, "CronPattern: Syntax error, illegal lower range (NaN)"), this.validateNotNaN(m, "CronPattern: Syntax error, illegal upper range (NaN)"), this.validateNotNaN(d, "CronPattern: Syntax error, illegal stepping: (NaN)"), this.validateRange(h, m, d, t, e);
    for (let p = h; p <= m; p += d) this.setPart(t, p, a[1] || r);
  }
  extractNth(e, t) {
    let n2 = e, r;
    if (n2.includes("#")) {
      if (t !== "dayOfWeek") throw new Error("CronPattern: nth (#) only allowed in day-of-week field");
      let a = n2.split("#");
      if (a.length !== 2 || a[1] === "") throw new TypeError("CronPattern: Syntax error, illegal nth weekday: '" + e + "'");
      n2 = a[0], r = a[1];
    } else if (n2.toUpperCase().endsWith("L")) {
      if (t !== "dayOfWeek") throw new Error("CronPattern: L modifier only allowed in day-of-week field (use L alone for day-of-month)");
      r = "L", n2 = n2.slice(0, -1);
    }
    return [n2, r];
  }
  handleRange(e, t, n2, r) {
    if (e.toUpperCase().includes("W")) throw new TypeError("CronPattern: Syntax error, W is not allowed in a range.");
    let a = this.extractNth(e, t), i = a[0].split("-");
    if (i.length !== 2) throw new TypeError("CronPattern: Syntax error, illegal range: '" + e + "'");
    let o = s.toNumber(i[0]) + n2, u = s.toNumber(i[1]) + n2;
    this.validateNotNaN(o, "CronPattern: Syntax error, illegal lower range (NaN)"), this.validateNotNaN(u, "CronPattern: Syntax error, illegal upper range (NaN)"), this.validateRange(o, u, void 0, t, e);
    for (let l = o; l <= u; l++) this.setPart(t, l, a[1] || r);
  }
  handleStepping(e, t, n2, r) {
    if (e.toUpperCase().includes("W")) throw new TypeError("CronPattern: Syntax error, W is not allowed in parts with stepping.");
    let a = this.extractNth(e, t), i = a[0].split("/");
    if (i.length !== 2) throw new TypeError("CronPattern: Syntax error, illegal stepping: '" + e + "'");
    if (this.sloppyRanges) i[0] === "" && (i[0] = "*");
    else {
      if (i[0] === "") throw new TypeError("CronPattern: Syntax error, stepping with missing prefix ('" + e + "') is not allowed. Use wildcard (*/step) or range (min-max/step) instead.");
      if (i[0] !== "*") throw new TypeError("CronPattern: Syntax error, stepping with numeric prefix ('" + e + "') is not allowed. Use wildcard (*/step) or range (min-max/step) instead.");
    }
    let o = 0;
    i[0] !== "*" && (o = s.toNumber(i[0]) + n2, this.validateNotNaN(o, "CronPattern: Syntax error, illegal stepping start (NaN)"));
    let u = s.toNumber(i[1]);
    this.validateNotNaN(u, "CronPattern: Syntax error, illegal stepping: (NaN)"), this.validateRange(0, this[t].length - 1, u, t, e);
    for (let l = o; l < this[t].length; l += u) t === "year" && l === 0 || this.setPart(t, l, a[1] || r);
  }
  replaceAlpha(e, t) {
    let n2 = e;
    for (let [r, a] of Object.entries(t)) n2 = n2.replace(new RegExp(r, "gi"), (i, o, u) => {
      let l = o + i.length - 3, h = u.charAt(l - 1), m = u.charAt(l + 3);
      if (/[a-z\d/#]/i.test(h) || /[a-km-z\d]/i.test(m)) throw new TypeError(`CronPattern: Syntax error, a month or day name has to stand alone ('${e}').`);
      return a;
    });
    return n2;
  }
  static DAY_NAMES = { "-sun": "-7", sun: "0", mon: "1", tue: "2", wed: "3", thu: "4", fri: "5", sat: "6" };
  static DAY_NAMES_QUARTZ = { sun: "1", mon: "2", tue: "3", wed: "4", thu: "5", fri: "6", sat: "7" };
  static MONTH_NAMES = { jan: "1", feb: "2", mar: "3", apr: "4", may: "5", jun: "6", jul: "7", aug: "8", sep: "9", oct: "10", nov: "11", dec: "12" };
  static NICKNAME_MAP = { "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * SUN", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *" };
  handleNicknames(e) {
    let t = e.trim().toLowerCase();
    if (t === "@reboot") throw new TypeError("CronPattern: @reboot is not supported in this environment. This is an event-based trigger that requires system startup detection.");
    return s.NICKNAME_MAP[t] || e;
  }
  setNthWeekdayOfMonth(e, t) {
    if (typeof t != "number" && t.toUpperCase() === "L") this.dayOfWeek[e] = this.dayOfWeek[e] | 32;
    else if (t === 63) this.dayOfWeek[e] = 63;
    else if (t < 6 && t > 0) this.dayOfWeek[e] = this.dayOfWeek[e] | x[t - 1];
    else throw new TypeError(`CronPattern: nth weekday out of range, should be 1-5 or L. Value: ${t}, Type: ${typeof t}`);
  }
};
var B = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
var f = [["month", "year", 0], ["day", "month", -1], ["hour", "day", 0], ["minute", "hour", 0], ["second", "minute", 0]];
var c = class s2 {
  tz;
  instantMs;
  instantFields;
  ms;
  second;
  minute;
  hour;
  day;
  month;
  year;
  constructor(e, t) {
    if (this.tz = t, e && e instanceof Date) if (!isNaN(e)) this.fromDate(e);
    else throw new TypeError("CronDate: Invalid date passed to CronDate constructor");
    else if (e == null) this.fromDate(/* @__PURE__ */ new Date());
    else if (e && typeof e == "string") this.fromString(e);
    else if (e instanceof s2) this.fromCronDate(e);
    else throw new TypeError("CronDate: Invalid type (" + typeof e + ") passed to CronDate constructor");
  }
  getLastDayOfMonth(e, t) {
    return t !== 1 ? B[t] : new Date(g(e, t + 1, 0)).getUTCDate();
  }
  getLastWeekday(e, t) {
    let n2 = this.getLastDayOfMonth(e, t), a = new Date(g(e, t, n2)).getUTCDay();
    return a === 0 ? n2 - 2 : a === 6 ? n2 - 1 : n2;
  }
  getNearestWeekday(e, t, n2) {
    let r = this.getLastDayOfMonth(e, t);
    if (n2 > r) return -1;
    let i = new Date(g(e, t, n2)).getUTCDay();
    return i === 0 ? n2 === r ? n2 - 2 : n2 + 1 : i === 6 ? n2 === 1 ? n2 + 2 : n2 - 1 : n2;
  }
  isNthWeekdayOfMonth(e, t, n2, r) {
    let i = new Date(g(e, t, n2)).getUTCDay(), o = 0;
    for (let u = 1; u <= n2; u++) new Date(g(e, t, u)).getUTCDay() === i && o++;
    if (r & 63 && x[o - 1] & r) return true;
    if (r & 32) {
      let u = this.getLastDayOfMonth(e, t);
      for (let l = n2 + 1; l <= u; l++) if (new Date(g(e, t, l)).getUTCDay() === i) return false;
      return true;
    }
    return false;
  }
  fromDate(e) {
    if (this.tz !== void 0) if (typeof this.tz == "number") this.ms = e.getUTCMilliseconds(), this.second = e.getUTCSeconds(), this.minute = e.getUTCMinutes() + this.tz, this.hour = e.getUTCHours(), this.day = e.getUTCDate(), this.month = e.getUTCMonth(), this.year = e.getUTCFullYear(), this.apply();
    else try {
      let t = y(e, this.tz);
      this.ms = e.getMilliseconds(), this.second = t.s, this.minute = t.i, this.hour = t.h, this.day = t.d, this.month = t.m - 1, this.year = t.y, this.cacheInstant(e.getTime() - this.ms);
    } catch (t) {
      let n2 = t instanceof Error ? t.message : String(t);
      throw new TypeError(`CronDate: Failed to convert date to timezone '${this.tz}'. This may happen with invalid timezone names or dates. Original error: ${n2}`);
    }
    else this.ms = e.getMilliseconds(), this.second = e.getSeconds(), this.minute = e.getMinutes(), this.hour = e.getHours(), this.day = e.getDate(), this.month = e.getMonth(), this.year = e.getFullYear(), this.cacheInstant(e.getTime() - this.ms);
  }
  cacheInstant(e) {
    this.instantMs = e;
    let { year: t, month: n2, day: r, hour: a, minute: i, second: o } = this;
    this.instantFields = [t, n2, r, a, i, o, this.tz];
  }
  cachedInstant() {
    let e = this.instantFields;
    if (!(e === void 0 || e[6] !== this.tz) && !(e[5] !== this.second || e[4] !== this.minute || e[3] !== this.hour) && !(e[2] !== this.day || e[1] !== this.month || e[0] !== this.year)) return this.instantMs;
  }
  fromCronDate(e) {
    this.tz = e.tz, this.year = e.year, this.month = e.month, this.day = e.day, this.hour = e.hour, this.minute = e.minute, this.second = e.second, this.ms = e.ms, this.instantMs = e.instantMs, this.instantFields = e.instantFields;
  }
  apply() {
    if (this.month > 11 || this.month < 0 || this.day > this.getLastDayOfMonth(this.year, this.month) || this.day < 1 || this.hour > 23 || this.minute > 59 || this.second > 59 || this.hour < 0 || this.minute < 0 || this.second < 0) {
      let e = /* @__PURE__ */ new Date(0);
      return e.setUTCFullYear(this.year, this.month, this.day), e.setUTCHours(this.hour, this.minute, this.second, this.ms), this.ms = e.getUTCMilliseconds(), this.second = e.getUTCSeconds(), this.minute = e.getUTCMinutes(), this.hour = e.getUTCHours(), this.day = e.getUTCDate(), this.month = e.getUTCMonth(), this.year = e.getUTCFullYear(), true;
    } else return false;
  }
  fromString(e) {
    if (typeof this.tz == "number") {
      if (O(e)) return this.fromDate(v(e));
      let t = v(e, "Etc/UTC");
      this.ms = t.getUTCMilliseconds(), this.second = t.getUTCSeconds(), this.minute = t.getUTCMinutes(), this.hour = t.getUTCHours(), this.day = t.getUTCDate(), this.month = t.getUTCMonth(), this.year = t.getUTCFullYear(), this.apply();
    } else return this.fromDate(v(e, this.tz));
  }
  findNext(e, t, n2, r) {
    return this._findMatch(e, t, n2, r, 1);
  }
  _matchDayValue(e, t, n2, r) {
    let a = e;
    if (!a) {
      for (let i = 0; i < n2.nearestWeekdays.length; i++) if (n2.nearestWeekdays[i]) {
        let o = this.getNearestWeekday(this.year, this.month, i + 1);
        if (o !== -1 && o === t) {
          a = 1;
          break;
        }
      }
    }
    if (n2.lastWeekday) {
      let i = this.getLastWeekday(this.year, this.month);
      t === i && (a = 1);
    }
    if (n2.lastDayOfMonth) {
      let i = this.getLastDayOfMonth(this.year, this.month);
      t === i && (a = 1);
    }
    if (!n2.starDOW) {
      let i = new Date(g(this.year, this.month, 1, 0, 0, 0, 0)).getUTCDay(), o = n2.dayOfWeek[(i + (t - 1)) % 7];
      o && o & 63 && (o = this.isNthWeekdayOfMonth(this.year, this.month, t, o) ? 1 : 0), n2.useAndLogic ? a = a && o : !r.domAndDow && !n2.starDOM ? a = a || o : a = a && o;
    }
    return a;
  }
  _findMatch(e, t, n2, r, a) {
    let i = this[t], o = t === "day" ? this.getLastDayOfMonth(this.year, this.month) : 0, u = this[t] + r, l = a === 1 ? (h) => h < n2[t].length : (h) => h >= 0;
    for (let h = u; l(h); h += a) {
      let m = n2[t][h];
      if (t === "day") {
        if (h - r > o) continue;
        m = this._matchDayValue(m, h - r, n2, e);
      }
      if (m) return this[t] = h - r, i !== this[t] ? 2 : 1;
    }
    return 3;
  }
  recurse(e, t, n2) {
    let r = this.year, a = n2;
    for (; typeof a == "number"; ) {
      if (e.starYear && Math.abs(this.year - r) > 400) return null;
      a = this.recurseStep(e, t, a);
    }
    return a;
  }
  recurseStep(e, t, n2) {
    if (n2 === 0 && !e.starYear) {
      if (this.year >= 0 && this.year < e.year.length && e.year[this.year] === 0) {
        let a = -1;
        for (let i = this.year + 1; i < e.year.length && i < 1e4; i++) if (e.year[i] === 1) {
          a = i;
          break;
        }
        if (a === -1) return null;
        this.year = a, this.month = 0, this.day = 1, this.hour = 0, this.minute = 0, this.second = 0, this.ms = 0;
      }
      if (this.year >= 1e4) return null;
    }
    let r = this.findNext(t, f[n2][0], e, f[n2][2]);
    if (r > 1) {
      let a = n2 + 1;
      for (; a < f.length; ) this[f[a][0]] = -f[a][2], a++;
      if (r === 3) {
        if (this[f[n2][1]]++, this[f[n2][0]] = -f[n2][2], this.apply(), n2 === 0 && !e.starYear) {
          for (; this.year >= 0 && this.year < e.year.length && e.year[this.year] === 0 && this.year < 1e4; ) this.year++;
          if (this.year >= 1e4 || this.year >= e.year.length) return null;
        }
        return 0;
      } else if (this.apply()) return n2 - 1;
    }
    return n2 += 1, n2 >= f.length ? this : (e.starYear ? this.year >= 3e3 : this.year >= 1e4) ? null : n2;
  }
  increment(e, t, n2) {
    return this.instantMs = void 0, this.instantFields = void 0, this.second += t.interval !== void 0 && t.interval > 1 && n2 ? t.interval : 1, this.ms = 0, this.apply(), this.recurse(e, t, 0);
  }
  decrement(e, t, n2 = true) {
    this.instantMs = void 0, this.instantFields = void 0;
    let r = t.interval !== void 0 && t.interval >= 1;
    return (this.ms === 0 || r) && (this.second -= r && n2 ? t.interval : 1), this.ms = 0, this.apply(), this.year < 1 ? null : this.recurseBackward(e, t, 0);
  }
  recurseBackward(e, t, n2) {
    let r = this.year, a = n2;
    for (; typeof a == "number"; ) {
      if (e.starYear && Math.abs(this.year - r) > 400) return null;
      a = this.recurseBackwardStep(e, t, a);
    }
    return a;
  }
  recurseBackwardStep(e, t, n2) {
    if (n2 === 0 && !e.starYear) {
      if (this.year >= 0 && this.year < e.year.length && e.year[this.year] === 0) {
        let a = -1;
        for (let i = this.year - 1; i >= 0; i--) if (e.year[i] === 1) {
          a = i;
          break;
        }
        if (a === -1) return null;
        this.year = a, this.month = 11, this.day = 31, this.hour = 23, this.minute = 59, this.second = 59, this.ms = 0;
      }
      if (this.year < 1) return null;
    }
    let r = this.findPrevious(t, f[n2][0], e, f[n2][2]);
    if (r > 1) {
      let a = n2 + 1;
      for (; a < f.length; ) {
        let i = f[a][0], o = f[a][2], u = this.getMaxPatternValue(i, e, o);
        this[i] = u, a++;
      }
      if (r === 3) {
        if (this[f[n2][1]]--, n2 === 0) {
          let u = this.getLastDayOfMonth(this.year, this.month);
          this.day > u && (this.day = u);
        }
        if (n2 === 1) if (this.day <= 0) this.day = 1;
        else {
          let u = this.year, l = this.month;
          for (; l < 0; ) l += 12, u--;
          for (; l > 11; ) l -= 12, u++;
          let h = this.getLastDayOfMonth(u, l);
          this.day > h && (this.day = h);
        }
        this.apply();
        let i = f[n2][0], o = f[n2][2];
        if (this[i] = this.getMaxPatternValue(i, e, o), this.apply(), n2 === 0) {
          let u = f[1][2], l = this.getMaxPatternValue("day", e, u);
          l !== this.day && (this.day = l, this.hour = this.getMaxPatternValue("hour", e, f[2][2]), this.minute = this.getMaxPatternValue("minute", e, f[3][2]), this.second = this.getMaxPatternValue("second", e, f[4][2]));
        }
        if (n2 === 0 && !e.starYear) {
          for (; this.year >= 0 && this.year < e.year.length && e.year[this.year] === 0; ) this.year--;
          if (this.year < 1) return null;
        }
        return 0;
      } else if (this.apply()) return n2 - 1;
    }
    return n2 += 1, n2 >= f.length ? this : this.year < 1 ? null : n2;
  }
  getMaxPatternValue(e, t, n2) {
    let r = t[e].length - 1 - n2;
    for (let a = t[e].length - 1; a >= 0; a--) if (t[e][a]) {
      r = a - n2;
      break;
    }
    if (e === "day") {
      let a = this.getLastDayOfMonth(this.year, this.month);
      return t.lastWeekday || t.nearestWeekdays.some((i) => i) || t.lastDayOfMonth || !t.starDOW ? a : Math.min(r, a);
    }
    return r;
  }
  findPrevious(e, t, n2, r) {
    return this._findMatch(e, t, n2, r, -1);
  }
  getDate(e) {
    if (!e && typeof this.tz != "number") {
      let t = this.cachedInstant();
      if (t !== void 0) return new Date(t + (this.tz === void 0 ? this.ms : 0));
    }
    if (e || this.tz === void 0) {
      if (this.year >= 0 && this.year < 100) {
        let t = /* @__PURE__ */ new Date(0);
        return t.setFullYear(this.year, this.month, this.day), t.setHours(this.hour, this.minute, this.second, this.ms), t;
      }
      return new Date(this.year, this.month, this.day, this.hour, this.minute, this.second, this.ms);
    } else return typeof this.tz == "number" ? new Date(g(this.year, this.month, this.day, this.hour, this.minute - this.tz, this.second, this.ms)) : N(T(this.year, this.month + 1, this.day, this.hour, this.minute, this.second, this.tz), false);
  }
  getTime() {
    return this.getDate(false).getTime();
  }
  match(e, t) {
    if (!e.starYear && (this.year < 0 || this.year >= e.year.length || e.year[this.year] === 0)) return false;
    for (let n2 = 0; n2 < f.length; n2++) {
      let r = f[n2][0], a = f[n2][2], i = this[r];
      if (i + a < 0 || i + a >= e[r].length) return false;
      let o = e[r][i + a];
      if (r === "day" && (o = this._matchDayValue(o, i, e, t)), !o) return false;
    }
    return true;
  }
};
function F(s3) {
  s3 === void 0 && (s3 = {}), delete s3.name, s3.legacyMode !== void 0 && s3.domAndDow === void 0 ? s3.domAndDow = !s3.legacyMode : s3.domAndDow === void 0 && (s3.domAndDow = false), s3.legacyMode = !s3.domAndDow;
  let e = (n2, r) => n2 === void 0 ? r : n2;
  if (s3.paused = e(s3.paused, false), s3.maxRuns = e(s3.maxRuns, 1 / 0), s3.catch = e(s3.catch, false), s3.unref = e(s3.unref, false), s3.mode = e(s3.mode, "auto"), s3.alternativeWeekdays = e(s3.alternativeWeekdays, false), s3.sloppyRanges = e(s3.sloppyRanges, false), s3.fixedTimeRule = e(s3.fixedTimeRule, "single-value"), s3.allowPast = e(s3.allowPast, false), s3.interval = s3.interval === void 0 ? 0 : parseInt(s3.interval.toString(), 10), s3.utcOffset = s3.utcOffset === void 0 ? void 0 : parseInt(s3.utcOffset.toString(), 10), s3.dayOffset = s3.dayOffset === void 0 ? 0 : parseInt(s3.dayOffset.toString(), 10), !["auto", "5-part", "6-part", "7-part", "5-or-6-parts", "6-or-7-parts"].includes(s3.mode)) throw new Error("CronOptions: mode must be one of 'auto', '5-part', '6-part', '7-part', '5-or-6-parts', or '6-or-7-parts'.");
  if (!["single-value", "no-wildcard"].includes(s3.fixedTimeRule)) throw new Error("CronOptions: fixedTimeRule must be one of 'single-value' or 'no-wildcard'.");
  s3.timezone === "" && (s3.timezone = void 0);
  let t = s3.timezone ?? s3.utcOffset;
  if (s3.startAt && (s3.startAt = I(new c(s3.startAt, t))), s3.stopAt && (s3.stopAt = I(new c(s3.stopAt, t))), s3.interval !== null) {
    if (isNaN(s3.interval)) throw new Error("CronOptions: Supplied value for interval is not a number");
    if (s3.interval < 0) throw new Error("CronOptions: Supplied value for interval can not be negative");
  }
  if (s3.utcOffset !== void 0) {
    if (isNaN(s3.utcOffset)) throw new Error("CronOptions: Invalid value passed for utcOffset, should be number representing minutes offset from UTC.");
    if (s3.utcOffset < -870 || s3.utcOffset > 870) throw new Error("CronOptions: utcOffset out of bounds.");
    if (s3.utcOffset !== void 0 && s3.timezone) throw new Error("CronOptions: Combining 'utcOffset' with 'timezone' is not allowed.");
  }
  if (s3.unref !== true && s3.unref !== false) throw new Error("CronOptions: Unref should be either true, false or undefined(false).");
  if (s3.dayOffset !== void 0 && s3.dayOffset !== 0 && isNaN(s3.dayOffset)) throw new Error("CronOptions: Invalid value passed for dayOffset, should be a number representing days to offset.");
  return s3;
}
function I(s3) {
  return s3.ms ? (s3.ms = 0, new c(new Date(s3.getTime() + 1e3), s3.tz)) : s3;
}
function b(s3) {
  return typeof s3 == "function";
}
function L(s3) {
  return b(s3);
}
function Y(s3) {
  typeof Deno < "u" && typeof Deno.unrefTimer < "u" ? Deno.unrefTimer(s3) : s3 && typeof s3.unref < "u" && s3.unref();
}
var P = 1440 * 60 * 1e3;
var $ = 30 * 1e3;
var M = [];
var j = class {
  name;
  options;
  _states;
  fn;
  _startAtRoundingMs = 0;
  getTz() {
    return this.options.timezone ?? this.options.utcOffset;
  }
  applyDayOffset(e) {
    let t = this._offsetMs();
    return t ? new Date(e.getTime() + t) : e;
  }
  _offsetMs() {
    return (this.options.dayOffset ?? 0) * P;
  }
  get _startAt() {
    return this.options.startAt;
  }
  get _stopAt() {
    return this.options.stopAt;
  }
  _nextTarget(e, t) {
    let n2 = this._offsetMs(), r = this._next(this._shift(e), new Date(t.getTime() - n2), { startAt: this._shift(this._startAt), stopAt: this._shift(this._stopAt) });
    return r ? this.applyDayOffset(r.getDate(false)) : null;
  }
  _previousTarget(e, t) {
    let n2 = this._toMs(e ?? t) - this._offsetMs(), r = this._previous(new Date(n2), { startAt: this._shift(this._startAt), stopAt: this._shift(this._stopAt) });
    return r ? this.applyDayOffset(r.getDate(false)) : null;
  }
  _shift(e) {
    if (e != null) return new c(new Date(this._toMs(e) - this._offsetMs()), this.getTz());
  }
  constructor(e, t, n2) {
    let r, a;
    if (b(t)) a = t;
    else if (typeof t == "object") r = t;
    else if (t !== void 0) throw new Error("Cron: Invalid argument passed for optionsIn. Should be one of function, or object (options).");
    if (b(n2)) a = n2;
    else if (typeof n2 == "object") r = n2;
    else if (n2 !== void 0) throw new Error("Cron: Invalid argument passed for funcIn. Should be one of function, or object (options).");
    this.name = r?.name;
    let i = r?.startAt;
    this.options = F(r), i && this._startAt && (this._startAtRoundingMs = this._startAt.getTime() - new c(i, this.getTz()).getTime());
    let o = !!e && (e instanceof Date || typeof e == "string" && e.indexOf(":") > 0);
    if (this._states = { kill: false, blocking: false, previousRun: void 0, currentRun: void 0, once: void 0, currentTimeout: void 0, maxRuns: r ? r.maxRuns : void 0, paused: r ? r.paused : false, pattern: o ? new C("* * * * *", void 0, { mode: "auto" }) : new C(e, this.options.timezone, { mode: this.options.mode, alternativeWeekdays: this.options.alternativeWeekdays, sloppyRanges: this.options.sloppyRanges, fixedTimeRule: this.options.fixedTimeRule }) }, o && (this._states.once = new c(e, this.getTz())), this.name) {
      if (M.find((l) => l.name === this.name)) throw new Error("Cron: Tried to initialize new named job '" + this.name + "', but name already taken.");
      M.push(this);
    }
    return a !== void 0 && L(a) && (this.fn = a, this.schedule()), this;
  }
  nextRun(e) {
    return this._nextTarget(e, /* @__PURE__ */ new Date());
  }
  nextRuns(e, t) {
    this._states.maxRuns !== void 0 && e > this._states.maxRuns && (e = this._states.maxRuns);
    let n2 = t || this._states.currentRun || void 0;
    return this._enumerateRuns(e, n2, "next");
  }
  previousRuns(e, t) {
    return this._enumerateRuns(e, t || void 0, "previous");
  }
  enumerate(e) {
    return new A(this, e);
  }
  _enumerateRuns(e, t, n2) {
    let r = [], a = /* @__PURE__ */ new Date(), i = t;
    for (; e-- > 0; ) {
      let o = n2 === "next" ? this._nextTarget(i, a) : this._previousTarget(i, a);
      if (!o) break;
      r.push(o), i = o;
    }
    return r;
  }
  match(e) {
    if (this._states.once) {
      let n2 = new c(e, this.getTz());
      n2.ms = 0;
      let r = new c(this._states.once, this.getTz());
      return r.ms = 0, n2.getTime() === r.getTime();
    }
    let t = new c(e, this.getTz());
    return t.ms = 0, t.match(this._states.pattern, this.options);
  }
  getPattern() {
    if (!this._states.once) return this._states.pattern ? this._states.pattern.pattern : void 0;
  }
  getOnce() {
    return this._states.once ? this._states.once.getDate() : null;
  }
  isRunning() {
    return !this._states.paused && !this._states.kill && this.fn !== void 0 && this._nextTarget(this._states.currentRun, /* @__PURE__ */ new Date()) !== null;
  }
  isStopped() {
    return this._states.kill;
  }
  isBusy() {
    return this._states.blocking;
  }
  currentRun() {
    return this._states.currentRun ? this._states.currentRun.getDate() : null;
  }
  previousRun() {
    return this._states.previousRun ? this._states.previousRun.getDate() : null;
  }
  msToNext(e) {
    let t = /* @__PURE__ */ new Date(), n2 = this._nextTarget(e, t);
    return n2 ? n2.getTime() - this._toMs(e ?? t) : null;
  }
  stop() {
    this._states.kill = true, this._states.currentTimeout && clearTimeout(this._states.currentTimeout);
    let e = M.indexOf(this);
    e >= 0 && M.splice(e, 1);
  }
  pause() {
    return this._states.paused = true, !this._states.kill;
  }
  resume() {
    return this._states.paused = false, !this._states.kill;
  }
  schedule(e) {
    return this._schedule(e);
  }
  _schedule(e, t) {
    if (e && this.fn) throw new Error("Cron: It is not allowed to schedule two functions using the same Croner instance.");
    e && (this.fn = e);
    let n2 = t ?? /* @__PURE__ */ new Date(), r = this._nextTarget(void 0, n2), a = r ? r.getTime() - n2.getTime() : null, i = this._states.currentRun;
    i && i.getTime() > n2.getTime() && (i = void 0);
    let o = this._nextTarget(i, n2);
    return a === null || isNaN(a) || o === null ? this : (a > $ && (a = $), a < 0 && (a = this._states.paused ? 1e3 : 0), this._states.currentTimeout = setTimeout(() => this._checkTrigger(o), a), this._states.currentTimeout && this.options.unref && Y(this._states.currentTimeout), this);
  }
  async _trigger(e = /* @__PURE__ */ new Date()) {
    this._states.blocking = true, this._states.currentRun = new c(e, this.getTz());
    try {
      if (this.options.catch) try {
        this.fn !== void 0 && await this.fn(this, this.options.context);
      } catch (t) {
        if (b(this.options.catch)) try {
          Promise.resolve(this.options.catch(t, this)).catch(() => {
          });
        } catch {
        }
      }
      else this.fn !== void 0 && await this.fn(this, this.options.context);
    } finally {
      this._states.previousRun = new c(e, this.getTz()), this._states.blocking = false;
    }
  }
  async trigger() {
    await this._trigger();
  }
  runsLeft() {
    return this._states.maxRuns;
  }
  _checkTrigger(e) {
    let t = /* @__PURE__ */ new Date(), n2 = !this._states.paused && t.getTime() >= e.getTime(), r = this._states.blocking && this.options.protect;
    n2 && !r ? (this._states.maxRuns !== void 0 && this._states.maxRuns--, this._trigger(t)) : n2 && r && b(this.options.protect) && setTimeout(() => this.options.protect(this), 0), this._schedule(void 0, n2 ? void 0 : t);
  }
  _next(e, t, n2) {
    let r = n2 ? n2.startAt : this._startAt, a = n2 ? n2.stopAt : this._stopAt, i = !!e, o = !!(e || this._states.currentRun), u = false;
    !e && r && this.options.interval && (e = this._calculatePreviousRun(r, t), e && (o = true), u = !e);
    let l = e ?? t ?? /* @__PURE__ */ new Date(), h = this._toMs(l);
    e = new c(l, this.getTz()), r && h < r.getTime() && (e = u ? r : new c(new Date(r.getTime() - 1e3), this.getTz()), h = e.getTime());
    let m = this._states.once || new c(e, this.getTz());
    if (!u && m !== this._states.once && (m = this._findOccurrence(e, h, 1, o)), this._states.once) {
      let d = this._states.once.getTime(), p = h - d;
      if (r && d < r.getTime() - this._startAtRoundingMs || this._states.currentRun && this.applyDayOffset(this._states.once.getDate()).getTime() <= this._states.currentRun.getTime() || (i ? p >= 0 : p > 1e3 && !this.options.allowPast)) return null;
    }
    return m === null || this._states.maxRuns !== void 0 && this._states.maxRuns <= 0 || this._states.kill || a && m.getTime() >= a.getTime() ? null : m;
  }
  _previous(e, t) {
    let n2 = this._toMs(e ?? /* @__PURE__ */ new Date());
    if (t.stopAt && n2 > t.stopAt.getTime() && (n2 = t.stopAt.getTime()), this._states.once) return this._states.once.getTime() < n2 ? this._states.once : null;
    let r = this._findOccurrence(new c(new Date(n2), this.getTz()), n2, -1);
    return r === null || t.startAt && r.getTime() < t.startAt.getTime() ? null : r;
  }
  _toMs(e) {
    if (e instanceof Date) return e.getTime();
    let t = new c(e, this.getTz());
    return t.getTime() + (typeof t.tz == "string" ? t.ms : 0);
  }
  _findOccurrence(e, t, n2, r = false) {
    let a = this.options.interval ?? 0;
    if (a > 1 && (n2 === -1 || r)) {
      t += (a - 1) * 1e3 * n2;
      let m = new Date(t);
      if (isNaN(m.getTime()) || (e = new c(m, this.getTz()), !(e.year >= 1 && e.year <= 9999))) return null;
      r = false;
    }
    let i = this._walk(e, t, n2, r), o = this.getTz();
    if (this._states.pattern.isFixedTime && n2 === 1 || typeof o == "number" || U(t, o) !== (n2 === 1 ? "earlier" : "later")) return i;
    let u = Math.floor(t / 1e3) * 1e3, l = n2 === 1 ? k(u, u + P, o) : k(u - P, u, o) - 1e3;
    if (i && (l - i.getTime()) * n2 > 0) return i;
    let h = this._walk(new c(new Date(l), o), l - n2, n2, false, true);
    return !i || !h ? i ?? h : (i.getTime() - h.getTime()) * n2 > 0 ? h : i;
  }
  _walk(e, t, n2, r, a = false) {
    let i = this._states.pattern, o = (l, h) => n2 === 1 ? l.increment(i, this.options, h) : l.decrement(i, this.options, h), u = new c(e, this.getTz());
    for ((!a || !u.match(i, this.options)) && (u = o(u, r)); u; ) {
      let l = this._runAt(u, t, n2);
      if (l) return new c(l, this.getTz());
      u = o(u, false);
    }
    return null;
  }
  _runAt(e, t, n2) {
    let r = (d) => (d.getTime() - t) * n2 > 0, a = e.tz;
    if (typeof a == "number") {
      let d = e.getDate();
      return r(d) ? d : null;
    }
    let i = T(e.year, e.month + 1, e.day, e.hour, e.minute, e.second, a), o = _(i), u = this._states.pattern.isFixedTime;
    if (o.kind === "single") return r(o.date) ? o.date : null;
    if (o.kind === "ambiguous") {
      let { earlier: d, later: p } = o;
      return (u ? [d] : n2 === 1 ? [d, p] : [p, d]).find(r) ?? null;
    }
    if (!u) return null;
    let l = new Date(k(o.before.getTime(), o.after.getTime(), a)), h = y(l, a);
    return h.y === i.y && h.m === i.m && h.d === i.d && r(l) ? l : null;
  }
  _calculatePreviousRun(e, t) {
    let n2 = new c(t, this.getTz()).getTime();
    if (e.getTime() > n2) return;
    let r = this.options.interval * 1e3, a = e;
    for (; a.getTime() + r <= n2; ) {
      let i = this._findOccurrence(a, a.getTime(), 1, true);
      if (i === null) break;
      a = i;
    }
    return a;
  }
};
var A = class {
  cron;
  cursor;
  now;
  done;
  initialMaxRuns;
  remainingRuns;
  constructor(e, t) {
    this.cron = e, this.initialMaxRuns = e.runsLeft() ?? 1 / 0, this.reset(t);
  }
  next() {
    if (this.done || this.remainingRuns <= 0) return this.done = true, { value: void 0, done: true };
    let e = this.cron._nextTarget(this.cursor, this.now);
    return e === null ? (this.done = true, { value: void 0, done: true }) : (this.cursor = e, this.remainingRuns--, { value: e, done: false });
  }
  peek() {
    return this.done || this.remainingRuns <= 0 ? null : this.cron._nextTarget(this.cursor, this.now);
  }
  reset(e) {
    this.cursor = e instanceof Date ? new Date(e.getTime()) : e ?? void 0, this.now = /* @__PURE__ */ new Date(), this.done = false, this.remainingRuns = this.initialMaxRuns;
  }
  [Symbol.iterator]() {
    return this;
  }
};

// src/core/errors.ts
var TimerRequestError = class extends Error {
  constructor(statusCode, message) {
    super(message);
    this.statusCode = statusCode;
    this.name = "TimerRequestError";
  }
  statusCode;
};
function badRequest(message) {
  return new TimerRequestError(400, message);
}

// src/core/cron.ts
var SECOND = { name: "second", min: 0, max: 59 };
var FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  // 0 and 7 are both Sunday.
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] }
];
var MAX_CRON_LENGTH = 256;
var CRON_SYNTAX = "5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, each *, a number, a range a-b, a step */n or a-b/n, or a comma-separated list of those; months JAN-DEC and days SUN-SAT by name too";
function valueOf(token, spec, expression) {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  const value = named >= 0 ? named + (spec.name === "month" ? 1 : 0) : /^\d{1,2}$/.test(token) ? Number(token) : NaN;
  if (Number.isNaN(value) || value < spec.min || value > spec.max) {
    const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : "";
    throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field allows ${spec.min}-${spec.max}${names}, got ${JSON.stringify(token)}`);
  }
  return value;
}
function checkField(field, spec, expression) {
  for (const item of field.split(",")) {
    const [range, step, extra] = item.split("/");
    if (extra !== void 0 || range === "" || step !== void 0 && !/^\d{1,2}$/.test(step)) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field ${JSON.stringify(field)} is not valid: use ${CRON_SYNTAX}`);
    }
    if (step !== void 0 && (Number(step) < 1 || Number(step) > spec.max - spec.min + 1)) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field's step must be from 1 to ${spec.max - spec.min + 1}, got ${step}`);
    }
    if (range === "*") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field ${JSON.stringify(field)} is not valid: use ${CRON_SYNTAX}`);
    }
    const [lo, hi] = bounds.map((b2) => valueOf(b2, spec, expression));
    if (hi !== void 0 && hi < lo) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} range ${JSON.stringify(range)} runs backwards: write the lower bound first`);
    }
    if (hi === void 0 && step !== void 0) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field ${JSON.stringify(item)} needs a range before its step, e.g. ${range}-${spec.max}/${step}`);
    }
  }
}
var CronExpression = class _CronExpression {
  constructor(source, cron) {
    this.source = source;
    this.cron = cron;
  }
  source;
  cron;
  /** Parses and checks an expression; a bad one throws a 400 naming the field and what it allows. */
  static parse(expression) {
    if (typeof expression !== "string" || expression.trim() === "") {
      throw badRequest(`"cron" must be a cron expression: ${CRON_SYNTAX}, got ${JSON.stringify(expression)}`);
    }
    if (expression.length > MAX_CRON_LENGTH) {
      throw badRequest(`"cron" is ${expression.length} characters long; at most ${MAX_CRON_LENGTH} are accepted`);
    }
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 5 && fields.length !== 6) {
      throw badRequest(`"cron" ${JSON.stringify(expression)} has ${fields.length} field(s): use ${CRON_SYNTAX}`);
    }
    const specs = fields.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
    fields.forEach((field, i) => checkField(field, specs[i], expression));
    const [dayOfMonth, dayOfWeek] = fields.slice(-3, -2).concat(fields.slice(-1));
    const domAndDow = (dayOfMonth.startsWith("*") || dayOfWeek.startsWith("*")) && dayOfMonth !== "*" && dayOfWeek !== "*";
    let cron;
    try {
      cron = new j(fields.join(" "), { timezone: "UTC", paused: true, domAndDow, mode: "5-or-6-parts" });
    } catch (err) {
      throw badRequest(`"cron" ${JSON.stringify(expression)} is not valid: ${err.message.replace(/^CronPattern: /, "")}`);
    }
    return new _CronExpression(fields.join(" "), cron);
  }
  /** The first matching wall-clock time (ms, read as UTC) strictly after `wallMs`, or undefined if there is none. */
  nextWallTime(wallMs) {
    return this.cron.nextRun(new Date(wallMs))?.getTime();
  }
  /** The last matching wall-clock time strictly before `wallMs`, or undefined. */
  previousWallTime(wallMs) {
    return this.cron.previousRuns(1, new Date(wallMs))[0]?.getTime();
  }
};
var formatters = /* @__PURE__ */ new Map();
var MAX_FORMATTERS = 1e3;
function formatterOf(timeZone) {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short"
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
function offsetFromIntl(timeZone, wholeSecondMs) {
  const parts = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(wholeSecondMs))) parts[part.type] = part.value;
  const year = parts.era === "BC" || parts.era === "B" ? 1 - Number(parts.year) : Number(parts.year);
  const wall = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - wholeSecondMs;
}
var HOUR_MS = 3600 * 1e3;
var offsetsByHour = /* @__PURE__ */ new Map();
var MAX_CACHED_HOURS = 1e5;
function zoneOffsetAt(timeZone, instantMs) {
  if (timeZone === "UTC") return 0;
  const whole = Math.floor(instantMs / 1e3) * 1e3;
  const hour = Math.floor(whole / HOUR_MS);
  const key = `${timeZone} ${hour}`;
  let cached2 = offsetsByHour.get(key);
  if (cached2 === void 0) {
    const start = offsetFromIntl(timeZone, hour * HOUR_MS);
    cached2 = start === offsetFromIntl(timeZone, (hour + 1) * HOUR_MS) ? start : null;
    if (offsetsByHour.size >= MAX_CACHED_HOURS) offsetsByHour.clear();
    offsetsByHour.set(key, cached2);
  }
  return cached2 ?? offsetFromIntl(timeZone, whole);
}
var TRANSITION_SPAN_MS = 24 * 3600 * 1e3;
function instantOfWallTime(timeZone, wallMs) {
  const before = zoneOffsetAt(timeZone, wallMs - TRANSITION_SPAN_MS);
  const after = zoneOffsetAt(timeZone, wallMs + TRANSITION_SPAN_MS);
  const valid = [.../* @__PURE__ */ new Set([before, after])].filter((offset) => zoneOffsetAt(timeZone, wallMs - offset) === offset);
  if (valid.length > 0) return wallMs - Math.max(...valid);
  return transitionBetween(timeZone, wallMs - after, wallMs - before, before);
}
function transitionBetween(timeZone, loMs, hiMs, offsetBefore) {
  let lo = Math.floor(loMs / 1e3);
  let hi = Math.ceil(hiMs / 1e3);
  if (zoneOffsetAt(timeZone, lo * 1e3) !== offsetBefore) throw new Error(`no transition of ${timeZone} between ${loMs} and ${hiMs}`);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetAt(timeZone, mid * 1e3) === offsetBefore) lo = mid;
    else hi = mid;
  }
  return hi * 1e3;
}
function endOfRepeatedSpan(timeZone, wallMs) {
  const before = zoneOffsetAt(timeZone, wallMs - TRANSITION_SPAN_MS);
  const after = zoneOffsetAt(timeZone, wallMs + TRANSITION_SPAN_MS);
  if (before <= after || zoneOffsetAt(timeZone, wallMs - before) !== before || zoneOffsetAt(timeZone, wallMs - after) !== after) return void 0;
  return transitionBetween(timeZone, wallMs - before, wallMs - after, before) + before;
}
var MAX_FALL_BACK_MS = 3 * 3600 * 1e3;
function cronOccurrences(schedule, fromMs, toMs, limit = Infinity) {
  const { cron, timeZone } = schedule;
  const low = Math.max(fromMs, schedule.startAt ?? -Infinity);
  const high = Math.min(toMs, schedule.endAt ?? Infinity);
  const out = [];
  if (high <= low) return out;
  let wall = low + Math.min(zoneOffsetAt(timeZone, low - 1e3), zoneOffsetAt(timeZone, low)) - 1;
  let last = -Infinity;
  while (out.length < limit) {
    wall = cron.nextWallTime(wall);
    if (wall === void 0) break;
    const instant = instantOfWallTime(timeZone, wall);
    if (instant >= high) break;
    if (instant >= low) {
      if (instant > last) out.push(instant);
      last = instant;
    } else {
      const end = endOfRepeatedSpan(timeZone, wall);
      if (end !== void 0 && end - 1 > wall) wall = end - 1;
    }
  }
  return out;
}
function nextCronFiring(schedule, fromMs) {
  return cronOccurrences(schedule, fromMs, schedule.endAt ?? Infinity, 1)[0];
}

// src/core/model.ts
var Limits = {
  /** Ids: 1 to 128 characters of `A-Z a-z 0-9 . _ - : @`. */
  ID_PATTERN: /^[A-Za-z0-9._\-:@]{1,128}$/,
  ID_MAX_LENGTH: 128,
  /** Smallest interval: one second, the resolution of SQS DelaySeconds. */
  MIN_INTERVAL_SECONDS: 1,
  /** Largest interval: seven days. */
  MAX_INTERVAL_SECONDS: 7 * 24 * 3600,
  /**
   * `timerCallbackData` must fit one SQS message (256 KiB including its attributes) and one DynamoDB item
   * (400 KB): 256 KiB serialized, less a reserve for the callback attributes.
   */
  MAX_CALLBACK_DATA_BYTES: 256 * 1024 - 2 * 1024,
  /** A request body larger than this is refused with 413 before it is parsed. */
  MAX_BODY_BYTES: 256 * 1024 + 4 * 1024,
  /** A one-shot `at` this far in the past is still accepted and fires at once (clock skew between client and service). */
  PAST_GRACE_MS: 5e3,
  /** Largest `delaySeconds` of a one-shot: ten years. */
  MAX_DELAY_SECONDS: 10 * 365 * 24 * 3600,
  /** SQS DelaySeconds range. */
  MAX_SQS_DELAY_SECONDS: 900,
  /** SendMessageBatch: at most 10 entries and 256 KiB in all. */
  MAX_BATCH_ENTRIES: 10,
  MAX_BATCH_BYTES: 256 * 1024
};

// src/core/names.ts
var MessageAttribute = {
  /** The timer's id. */
  TIMER_ID: "TimerId",
  /** `periodic` or `oneshot`. */
  TIMER_KIND: "TimerKind",
  /** Epoch milliseconds of the intended firing. */
  SCHEDULED_AT: "ScheduledAt",
  /** `{id}@{ScheduledAt}`: identical for every duplicate of one firing, so consumers can deduplicate. */
  FIRING_ID: "FiringId"
};
var METRIC_NAMESPACE = "ServerlessTimer";
var MetricName = {
  /** Firings handed to the queue (count). */
  FIRINGS_DISPATCHED: "FiringsDispatched",
  /** Firings sent after their scheduled second had passed (count). */
  LATE_FIRINGS: "LateFirings",
  /** How long after its scheduled time the latest firing of a window was sent (milliseconds, 0 when on time). */
  DISPATCH_LAG: "DispatchLag",
  /** Wall time of one tick invocation (milliseconds). */
  TICK_DURATION: "TickDuration",
  /** Windows a tick dispatched that had already started: a missed or late tick being caught up (count). */
  WINDOWS_CAUGHT_UP: "WindowsCaughtUp",
  /** Messages the queue still refused after every retry (count). */
  SEND_FAILURES: "SendFailures",
  /**
   * Firings the queue refused for good, as the sender's fault (e.g. SQS's InvalidMessageContents): set aside and
   * logged with the timer id, the firing and the queue's code, never retried, so they hold no shard back (count).
   */
  FIRINGS_REJECTED: "FiringsRejected",
  /** Ticks that stopped before their deadline with work left and handed the rest to a continuation (count). */
  TICK_CONTINUATIONS: "TickContinuations",
  /**
   * Late firings a tick did not send because their timer's `missedFirings` is `latest`: every one of a caught-up span
   * but its latest (count).
   */
  FIRINGS_DROPPED_LATEST: "FiringsDroppedLatest",
  /** Late firings not sent because their timer's `missedFirings` is `none` (count). */
  FIRINGS_DROPPED_NONE: "FiringsDroppedNone",
  /** Periodic timers past their end taken out of the schedule by a tick (count). */
  TIMERS_RETIRED: "TimersRetired",
  /**
   * How far the watermark of the next shard (shard n checks shard n+1, the last checks shard0) lags behind now, in
   * milliseconds; negative while that shard dispatches ahead, as it does when it ticks on time. Every tick checks one
   * other shard, so a shard that stops progressing for any reason (no invocations, a tick failing or killed every
   * time) shows in the ticks of its neighbour.
   */
  SHARD_WATERMARK_LAG: "ShardWatermarkLag",
  /** A tick that found its shard held by another tick and stood down (count). */
  TICKS_SKIPPED: "TicksSkipped",
  /** Timers created or replaced through the API (count). */
  TIMERS_CREATED: "TimersCreated",
  /** Timers deleted through the API (count). */
  TIMERS_DELETED: "TimersDeleted"
};
var METRIC_DIMENSION_SERVICE = "Service";

// src/core/dispatch.ts
var LATE_TOLERANCE_MS = 1e3;
function delaySecondsFor(scheduledAt, nowMs) {
  const seconds = Math.ceil((scheduledAt - nowMs) / 1e3);
  return Math.min(Limits.MAX_SQS_DELAY_SECONDS, Math.max(0, seconds));
}
function firingIdOf(firing) {
  return `${firing.timerId}@${firing.scheduledAt}`;
}
function messageAttributesOf(firing) {
  return {
    [MessageAttribute.TIMER_ID]: firing.timerId,
    [MessageAttribute.TIMER_KIND]: firing.kind,
    [MessageAttribute.SCHEDULED_AT]: String(firing.scheduledAt),
    [MessageAttribute.FIRING_ID]: firingIdOf(firing)
  };
}
function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c2 = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c2 < 128) {
      bytes += 1;
    } else if (c2 < 2048) {
      bytes += 2;
    } else if (c2 >= 55296 && c2 <= 56319 && next >= 56320 && next <= 57343) {
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}
var ATTRIBUTE_NAMES_BYTES = Object.values(MessageAttribute).reduce((sum, name) => sum + utf8Length(name) + "String".length, 0);
function messageSizeOf(firing) {
  const id = utf8Length(firing.timerId);
  const at = String(firing.scheduledAt).length;
  return utf8Length(firing.body) + ATTRIBUTE_NAMES_BYTES + id + firing.kind.length + at + (id + 1 + at);
}
function* planBatches(firings) {
  let batch = [];
  let bytes = 0;
  for (const firing of firings) {
    const size = messageSizeOf(firing);
    if (batch.length === Limits.MAX_BATCH_ENTRIES || batch.length > 0 && bytes + size > Limits.MAX_BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(firing);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
function toQueueEntries(batch, nowMs) {
  return batch.map((firing, i) => ({
    id: String(i),
    body: firing.body,
    delaySeconds: delaySecondsFor(firing.scheduledAt, nowMs),
    scheduledAt: firing.scheduledAt,
    attributes: messageAttributesOf(firing)
  }));
}
function emptyReport() {
  return { dispatched: 0, late: 0, failed: 0, rejected: 0, maxLagMs: 0 };
}
function addReport(into, from) {
  into.dispatched += from.dispatched;
  into.late += from.late;
  into.failed += from.failed;
  into.rejected += from.rejected;
  into.maxLagMs = Math.max(into.maxLagMs, from.maxLagMs);
}
var StreamProgress = class {
  constructor(onProgress) {
    this.onProgress = onProgress;
  }
  onProgress;
  /** Every batch numbered below this is done. */
  doneBelow = 0;
  doneAbove = /* @__PURE__ */ new Set();
  /** Items not yet done, in stream order, with the number of batches that must be done for each. */
  waiting = [];
  head = 0;
  position;
  itemPacked(batchesNeeded, position) {
    this.waiting.push({ batchesNeeded, position });
    this.advance();
  }
  batchDone(seq) {
    if (seq === this.doneBelow) {
      this.doneBelow++;
      while (this.doneAbove.delete(this.doneBelow)) this.doneBelow++;
    } else {
      this.doneAbove.add(seq);
    }
    this.advance();
  }
  advance() {
    let moved = false;
    while (this.head < this.waiting.length && this.waiting[this.head].batchesNeeded <= this.doneBelow) {
      this.position = this.waiting[this.head++].position;
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (moved) this.onProgress?.(this.position);
  }
};
var Dispatcher = class {
  constructor(options) {
    this.options = options;
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`batch concurrency must be a whole number of at least 1, got ${options.concurrency}`);
    }
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseBackoffMs = options.baseBackoffMs ?? 50;
  }
  options;
  maxAttempts;
  baseBackoffMs;
  /**
   * Sends firings already in memory (the API's near-term ones, in pages) and reports what happened: a refused
   * message is counted in `failed` or `rejected`, never dropped silently. A tick's stream goes through `dispatchStream`.
   */
  async dispatch(pages, options = {}) {
    const report = emptyReport();
    await this.sendAll([...planBatches(pages.flat())], report, options);
    this.count(report);
    return report;
  }
  /**
   * Sends a tick's stream: pages of items, each a timer's firings. Pages are read one ahead of the sends, batches
   * are packed across items and sent `concurrency` at a time, and the completed prefix of the stream is tracked, so
   * the caller can checkpoint it. It stops early when `shouldStop` says so (between items), and after the first
   * batch that failed for good, since nothing after it can be checkpointed.
   */
  async dispatchStream(pages, options = {}) {
    const report = emptyReport();
    const progress = new StreamProgress(options.onProgress);
    let stopped = false;
    let failedBatch = false;
    const { shouldStop } = options;
    async function* packed() {
      const iterator = pages[Symbol.asyncIterator]();
      let seq = 0;
      let batch = [];
      let bytes = 0;
      let nextPage = iterator.next();
      nextPage.catch(() => void 0);
      try {
        for (; ; ) {
          const page = await nextPage;
          if (page.done) break;
          nextPage = iterator.next();
          nextPage.catch(() => void 0);
          for (const item of page.value) {
            if (failedBatch || shouldStop?.()) {
              stopped = true;
              break;
            }
            for (const firing of item.firings) {
              const size = messageSizeOf(firing);
              if (batch.length > 0 && bytes + size > Limits.MAX_BATCH_BYTES) {
                yield { seq: seq++, firings: batch };
                batch = [];
                bytes = 0;
              }
              batch.push(firing);
              bytes += size;
              if (batch.length === Limits.MAX_BATCH_ENTRIES) {
                yield { seq: seq++, firings: batch };
                batch = [];
                bytes = 0;
              }
            }
            progress.itemPacked(seq + (batch.length > 0 ? 1 : 0), item.position);
          }
          if (stopped) break;
        }
        if (batch.length > 0) yield { seq: seq++, firings: batch };
      } finally {
        if (stopped) await iterator.return?.();
      }
    }
    const batches = packed();
    let pulling = Promise.resolve();
    const next = () => {
      const pulled = pulling.then(() => batches.next());
      pulling = pulled.catch(() => void 0);
      return pulled;
    };
    let readFailure;
    const worker = async () => {
      while (readFailure === void 0) {
        let item;
        try {
          item = await next();
        } catch (err) {
          readFailure ??= err;
          return;
        }
        if (item.done) return;
        const failedBefore = report.failed;
        await this.sendWithRetry(item.value.firings, report, options);
        if (report.failed === failedBefore) progress.batchDone(item.value.seq);
        else failedBatch = true;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    this.count(report);
    if (readFailure !== void 0) throw readFailure;
    return { report, position: progress.position, complete: !stopped && !failedBatch };
  }
  count(report) {
    const { metrics } = this.options;
    metrics.add(MetricName.FIRINGS_DISPATCHED, report.dispatched);
    metrics.add(MetricName.LATE_FIRINGS, report.late);
    metrics.add(MetricName.SEND_FAILURES, report.failed);
    metrics.add(MetricName.FIRINGS_REJECTED, report.rejected);
  }
  /** Firings already in memory (the API's few near-term ones): no more workers than batches. */
  async sendAll(batches, report, options) {
    if (batches.length === 1) return this.sendWithRetry(batches[0], report, options);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.sendWithRetry(batches[next++], report, options);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, batches.length) }, worker));
  }
  async sendWithRetry(batch, report, options) {
    const { queue, clock, log } = this.options;
    const earliest = options.earliestMs ?? -Infinity;
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const now = clock.now();
      let failures;
      try {
        failures = await queue.sendBatch(toQueueEntries(pending, now));
      } catch (err) {
        failures = pending.map((_2, i) => ({ id: String(i), code: err?.name, message: String(err), permanent: false }));
        log.warn("queue refused a batch", { attempt, entries: pending.length, error: String(err) });
      }
      const failed = failures.length === 0 ? void 0 : new Map(failures.map((f2) => [f2.id, f2]));
      const retry = [];
      for (let i = 0; i < pending.length; i++) {
        const failure = failed?.get(String(i));
        if (failure?.permanent) {
          report.rejected++;
          this.setAside(pending[i], failure);
          continue;
        }
        if (failure) {
          retry.push(pending[i]);
          continue;
        }
        const lag = now - Math.max(pending[i].scheduledAt, earliest);
        report.dispatched++;
        if (lag > LATE_TOLERANCE_MS) report.late++;
        if (lag > report.maxLagMs) report.maxLagMs = lag;
      }
      if (retry.length === 0) return;
      pending = retry;
      const cap = Math.min(5e3, this.baseBackoffMs * 2 ** (attempt - 1));
      const backoff = Math.random() * cap;
      if (attempt >= this.maxAttempts || options.giveUpAt !== void 0 && clock.now() + backoff >= options.giveUpAt) {
        report.failed += pending.length;
        log.error("firings not accepted by the queue after retries", {
          attempts: attempt,
          firingIds: pending.map(firingIdOf)
        });
        return;
      }
      await clock.sleep(backoff);
    }
  }
  /** An entry the queue will never take: where an operator finds it, with what the queue said. */
  setAside(firing, failure) {
    this.options.log.error("firing set aside: the queue refused its content for good", {
      timerId: firing.timerId,
      firingId: firingIdOf(firing),
      scheduledAt: firing.scheduledAt,
      code: failure.code,
      queueMessage: failure.message
    });
  }
};

// src/core/schedule.ts
var SECOND2 = 1e3;
function mod(a, n2) {
  return (a % n2 + n2) % n2;
}
function ceilSecond(ms) {
  return Math.ceil(ms / SECOND2);
}
function offsetRangesInWindow(intervalSeconds, fromMs, toMs) {
  const first = ceilSecond(fromMs);
  const end = ceilSecond(toMs);
  if (end <= first) return [];
  if (end - first >= intervalSeconds) return [[0, intervalSeconds]];
  const lo = mod(first, intervalSeconds);
  const hi = mod(end, intervalSeconds);
  if (lo < hi) return [[lo, hi]];
  return hi === 0 ? [[lo, intervalSeconds]] : [[lo, intervalSeconds], [0, hi]];
}
function periodicOccurrences(timer, fromMs, toMs) {
  const lowMs = Math.max(fromMs, timer.startAt ?? -Infinity);
  const highMs = Math.min(toMs, timer.endAt ?? Infinity);
  if (highMs <= lowMs) return [];
  const firstSecond = ceilSecond(lowMs);
  let t = firstSecond + mod(timer.offset - firstSecond, timer.interval);
  const out = [];
  for (; t * SECOND2 < highMs; t += timer.interval) out.push(t * SECOND2);
  return out;
}
function periodicFirings(timer, fromMs, toMs) {
  return periodicOccurrences(timer, fromMs, toMs).map((scheduledAt) => ({
    timerId: timer.id,
    kind: "periodic",
    scheduledAt,
    body: timer.data
  }));
}
function oneShotFirings(timer, fromMs, toMs) {
  if (timer.fireAt < fromMs || timer.fireAt >= toMs) return [];
  return [{ timerId: timer.id, kind: "oneshot", scheduledAt: timer.fireAt, body: timer.data }];
}
var parsedExpressions = /* @__PURE__ */ new Map();
var MAX_PARSED_EXPRESSIONS = 1e4;
function cronScheduleOf(timer) {
  let cron = parsedExpressions.get(timer.cron);
  if (!cron) {
    cron = CronExpression.parse(timer.cron);
    if (parsedExpressions.size >= MAX_PARSED_EXPRESSIONS) parsedExpressions.clear();
    parsedExpressions.set(timer.cron, cron);
  }
  return { cron, timeZone: timer.timeZone, startAt: timer.startAt, endAt: timer.endAt };
}
function cronFirings(timer, fromMs, toMs) {
  return cronOccurrences(cronScheduleOf(timer), fromMs, toMs).map((scheduledAt) => ({
    timerId: timer.id,
    kind: "cron",
    scheduledAt,
    body: timer.data
  }));
}
function firingsInWindow(timer, fromMs, toMs) {
  if (timer.kind === "periodic") return periodicFirings(timer, fromMs, toMs);
  return timer.kind === "oneshot" ? oneShotFirings(timer, fromMs, toMs) : cronFirings(timer, fromMs, toMs);
}
function tickFiringsInWindow(timer, fromMs, toMs) {
  return firingsInWindow(timer, Math.max(fromMs, timer.tickFrom), toMs);
}
function hasEndedBy(timer, ms) {
  return timer.endAt !== void 0 && timer.endAt <= ms;
}
function withTickFrom(timer, tickFrom, retentionMs) {
  if (timer.kind !== "cron") return { ...timer, tickFrom };
  const dueAt = nextCronFiring(cronScheduleOf(timer), tickFrom);
  const { dueAt: _previous, ...rest } = timer;
  if (dueAt !== void 0) return { ...rest, tickFrom, dueAt };
  return { ...rest, tickFrom, expiresAt: Math.min(timer.expiresAt ?? Infinity, tickFrom + retentionMs) };
}
function occurrenceAfter(timer, ms) {
  if (timer.kind === "oneshot") return void 0;
  if (timer.kind === "cron") return nextCronFiring(cronScheduleOf(timer), ms + 1);
  const next = ms + timer.interval * SECOND2;
  return timer.endAt !== void 0 && next >= timer.endAt ? void 0 : next;
}
function firingsToSend(timer, firings, lateBefore) {
  const policy = timer.missedFirings;
  if (policy === void 0 || firings.length === 0 || firings[0].scheduledAt >= lateBefore) return firings;
  let onTime = 1;
  while (onTime < firings.length && firings[onTime].scheduledAt < lateBefore) onTime++;
  if (policy === "none") return firings.slice(onTime);
  const next = onTime < firings.length ? firings[onTime].scheduledAt : occurrenceAfter(timer, firings[onTime - 1].scheduledAt);
  return firings.slice(next === void 0 || next >= lateBefore ? onTime - 1 : onTime);
}

// src/core/hash.ts
function fmix32(value) {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  h = Math.imul(h, 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}
function seededHash(text, seed) {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return fmix32(h);
}
function shardName(index) {
  return `shard${index}`;
}

// src/core/validate.ts
var DEFAULT_RETENTION_MS = 24 * 3600 * 1e3;

// src/core/config.ts
var MAX_SHARDS = 100;
var MAX_PERIOD_SECONDS = 840;
var MAX_LOOK_AHEAD_MARGIN_MS = 6e4;
var MAX_DIRECT_SEND_MS = 899e3;
var DEFAULT_CREATE_WITHIN_MS = 15e3;
var DEFAULT_INITIAL_CATCH_UP_MS = 36e5;
function requireWhole(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}
function requireWholeSeconds(name, value, min, max, hint) {
  if (!Number.isInteger(value / 1e3) || value < min || value > max) {
    throw new Error(`${name} must be a whole number of seconds from ${min} to ${max} ms, got ${value}: ${hint}`);
  }
}
function engineConfig(settings) {
  requireWhole("shardCount", settings.shardCount, 1, MAX_SHARDS);
  requireWhole("periodSeconds", settings.periodSeconds, 1, MAX_PERIOD_SECONDS);
  const batchConcurrency = settings.batchConcurrency ?? 10;
  requireWhole("batchConcurrency", batchConcurrency, 1, 1e3);
  const periodMs = settings.periodSeconds * 1e3;
  const indexLagToleranceMs = settings.indexLagToleranceMs ?? 0;
  requireWholeSeconds("indexLagToleranceMs", indexLagToleranceMs, 0, MAX_DIRECT_SEND_MS, "how long the schedule index may lag a write");
  const createWithinMs = settings.createWithinMs ?? DEFAULT_CREATE_WITHIN_MS;
  requireWholeSeconds("createWithinMs", createWithinMs, 0, MAX_DIRECT_SEND_MS, "the longest a PUT takes to store its timer");
  const room = MAX_DIRECT_SEND_MS - periodMs - indexLagToleranceMs - createWithinMs;
  const lookAheadMarginMs = settings.lookAheadMarginMs ?? Math.min(periodMs, MAX_LOOK_AHEAD_MARGIN_MS, Math.floor(room / 1e3) * 1e3);
  requireWholeSeconds("lookAheadMarginMs", lookAheadMarginMs, 1e3, MAX_LOOK_AHEAD_MARGIN_MS, "how late a tick may start");
  if (lookAheadMarginMs > room) {
    throw new Error(
      `the period (${periodMs} ms), lookAheadMarginMs (${lookAheadMarginMs}), indexLagToleranceMs (${indexLagToleranceMs}) and createWithinMs (${createWithinMs}) add up to ${periodMs + lookAheadMarginMs + indexLagToleranceMs + createWithinMs} ms: at most ${MAX_DIRECT_SEND_MS} ms fit SQS's longest delay; shorten one of them`
    );
  }
  const lookAheadMs = periodMs + lookAheadMarginMs;
  const leaseMs = settings.leaseMs ?? Math.max(2 * periodMs, 3e4);
  requireWhole("leaseMs", leaseMs, 1e3, 36e5);
  const initialCatchUpMs = settings.initialCatchUpMs ?? DEFAULT_INITIAL_CATCH_UP_MS;
  requireWhole("initialCatchUpMs", initialCatchUpMs, 0, 7 * 24 * 36e5);
  return {
    shardCount: settings.shardCount,
    periodSeconds: settings.periodSeconds,
    batchConcurrency,
    windowMs: periodMs,
    lookAheadMs,
    indexLagToleranceMs,
    createWithinMs,
    directSendMs: lookAheadMs + indexLagToleranceMs + createWithinMs,
    leaseMs,
    initialCatchUpMs,
    oneShotRetentionMs: settings.oneShotRetentionMs ?? 24 * 3600 * 1e3
  };
}

// src/core/ports.ts
var systemClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
};
var noMetrics = { add: () => void 0, observe: () => void 0 };
var silentLog = { info: () => void 0, warn: () => void 0, error: () => void 0 };

// src/core/ticker.ts
function floorSecond(ms) {
  return Math.floor(ms / 1e3) * 1e3;
}
function compareReads(a, b2) {
  return a.k - b2.k || a.i - b2.i || a.r - b2.r;
}
function parseCursor(raw, watermark) {
  if (raw === void 0) return void 0;
  try {
    const cursor = JSON.parse(raw);
    if (typeof cursor.to === "number" && cursor.to > watermark && typeof cursor.a === "string") return cursor;
  } catch {
  }
  return void 0;
}
function stopReserveMs(budgetMs) {
  return Math.min(1e4, Math.max(1e3, Math.floor(budgetMs / 5)));
}
var CHECKPOINT_EVERY_MS = 2e3;
var LEASE_SLACK_MS = 0;
var MAX_RETIRED_PER_WINDOW = 1e4;
var RETIRE_CHUNK = 100;
var CRON_SEND_SLICE = 1e3;
var STRANDED_SWEEP_MS = 36e5;
var ownerSequence = 0;
function sendable(timer, firings, policy) {
  const sent = firingsToSend(timer, firings, policy.lateBefore);
  if (sent.length < firings.length) policy.dropped[timer.missedFirings === "none" ? "none" : "latest"] += firings.length - sent.length;
  return sent;
}
var Ticker = class {
  constructor(config, deps) {
    this.config = config;
    this.deps = deps;
  }
  config;
  deps;
  async tick(shardId, options = {}) {
    const { store, clock, metrics, log } = this.deps;
    const { lookAheadMs, leaseMs, windowMs } = this.config;
    const startedAt = clock.now();
    const owner = `${startedAt}-${process.pid}-${++ownerSequence}-${Math.random().toString(36).slice(2, 8)}`;
    const deadline = options.deadlineMs;
    const stopAt = deadline === void 0 ? void 0 : deadline - stopReserveMs(deadline - startedAt);
    const leaseUntil = (deadline ?? startedAt + leaseMs) + LEASE_SLACK_MS;
    const lateBefore = options.lateBefore ?? startedAt - LATE_TOLERANCE_MS;
    const dropped = { latest: 0, none: 0 };
    const existing = await store.getShardState(shardId);
    const initial = existing ?? await store.initShardState(shardId, floorSecond(startedAt - this.config.initialCatchUpMs));
    await this.reportNeighbourLag(shardId, existing === void 0 ? void 0 : initial, startedAt);
    const claimUntil = floorSecond(startedAt + lookAheadMs);
    const totals = { shardId, windows: 0, windowsCaughtUp: 0, dispatched: 0, late: 0, rejected: 0, retired: 0, dropped };
    if (!options.continueAs && claimUntil <= initial.watermark) {
      return { ...totals, skipped: false, watermark: initial.watermark };
    }
    const claimed = await store.claimShard({
      shardId,
      owner,
      nowMs: startedAt,
      leaseUntil,
      ...options.continueAs !== void 0 && { takeOverFrom: options.continueAs }
    });
    if (!claimed) {
      metrics.add(MetricName.TICKS_SKIPPED, 1);
      log.info("shard held by another tick; standing down", { shardId });
      return { ...totals, skipped: true, watermark: initial.watermark };
    }
    const intervals = await store.listIntervals(shardId, startedAt);
    let watermark = claimed.watermark;
    let cursor = parseCursor(claimed.cursor, watermark);
    let maxLagMs = 0;
    let progressed = false;
    let handOver2 = false;
    const timeIsUp = () => stopAt !== void 0 && clock.now() >= stopAt;
    try {
      const end = Math.max(claimUntil, cursor?.to ?? 0);
      for (let from = watermark; from < end; ) {
        const to = cursor?.to ?? Math.min(Math.floor(from / windowMs) * windowMs + windowMs, end);
        if (timeIsUp()) {
          handOver2 = progressed;
          break;
        }
        const ended = [];
        const seen = /* @__PURE__ */ new Set();
        const run = { owner, leaseUntil, stopAt, deadline, ended, seen, lateBefore, dropped };
        const outcome = await this.dispatchWindow(shardId, intervals, from, to, cursor, run);
        totals.dispatched += outcome.report.dispatched;
        totals.late += outcome.report.late;
        totals.rejected += outcome.report.rejected;
        maxLagMs = Math.max(maxLagMs, outcome.report.maxLagMs);
        await this.keepIntervals(shardId, seen);
        if (outcome.lostLease) {
          log.warn("lost the shard lease; another tick continues", { shardId, watermark });
          break;
        }
        if (!outcome.complete) {
          if (outcome.position) {
            progressed = true;
            await store.checkpoint(shardId, owner, from, JSON.stringify(outcome.position), leaseUntil);
          }
          if (outcome.report.failed > 0) {
            throw new Error(`${outcome.report.failed} firing(s) of ${shardId} window [${from}, ${to}) were not accepted by the queue`);
          }
          handOver2 = progressed;
          break;
        }
        if (!await store.advanceWatermark(shardId, owner, from, to)) {
          log.warn("lost the shard lease; another tick continues", { shardId, watermark });
          break;
        }
        progressed = true;
        totals.windows++;
        if (from + LATE_TOLERANCE_MS < startedAt && existing !== void 0) totals.windowsCaughtUp++;
        watermark = to;
        cursor = void 0;
        from = to;
        totals.retired += await this.retire(ended, stopAt);
      }
    } finally {
      if (!handOver2) await store.releaseShard(shardId, owner);
      metrics.add(MetricName.WINDOWS_CAUGHT_UP, totals.windowsCaughtUp);
      metrics.add(MetricName.TIMERS_RETIRED, totals.retired);
      metrics.add(MetricName.FIRINGS_DROPPED_LATEST, dropped.latest);
      metrics.add(MetricName.FIRINGS_DROPPED_NONE, dropped.none);
      metrics.observe(MetricName.DISPATCH_LAG, maxLagMs);
      metrics.observe(MetricName.TICK_DURATION, clock.now() - startedAt);
    }
    if (totals.windowsCaughtUp > 0 || totals.late > 0 || dropped.latest + dropped.none > 0) {
      log.warn("caught up missed windows", { shardId, windowsCaughtUp: totals.windowsCaughtUp, late: totals.late, dropped });
    }
    if (handOver2) {
      metrics.add(MetricName.TICK_CONTINUATIONS, 1);
      return { ...totals, skipped: false, watermark, continuation: { owner, lateBefore } };
    }
    return { ...totals, skipped: false, watermark };
  }
  /** Tells the store which intervals had timers; a failure only delays it to the next window, never fails the tick. */
  async keepIntervals(shardId, seen) {
    const { store, clock, log } = this.deps;
    if (seen.size === 0 || !store.keepIntervals) return;
    try {
      await store.keepIntervals(shardId, [...seen], clock.now());
    } catch (err) {
      log.warn("could not renew the interval registry; the next window retries", { shardId, error: String(err) });
    }
  }
  /**
   * Reports how far the next shard's watermark lags behind now (`ShardWatermarkLag`): every tick checks one other
   * shard, so a shard that stops progressing shows in its neighbour's ticks. A shard never ticked reports nothing.
   */
  async reportNeighbourLag(shardId, own, nowMs) {
    const { store, metrics, log } = this.deps;
    const index = Number(shardId.replace(/^shard/, ""));
    const neighbour = shardName((index + 1) % this.config.shardCount);
    try {
      const state = neighbour === shardId ? own : await store.getShardState(neighbour);
      if (state) metrics.observe(MetricName.SHARD_WATERMARK_LAG, nowMs - state.watermark);
    } catch (err) {
      log.warn("could not read the next shard's state", { shardId, neighbour, error: String(err) });
    }
  }
  /** The reads of a window, in order: each interval's offset ranges, ascending, then the one-shots, then the cron timers. */
  readsOf(shardId, intervals, from, to) {
    const { store } = this.deps;
    const reads = [];
    for (const interval of intervals) {
      offsetRangesInWindow(interval, from, to).forEach(([lo, hi], r) => reads.push({ k: 0, i: interval, r, pages: (after) => store.queryPeriodic(shardId, interval, lo, hi, after) }));
    }
    reads.push({ k: 1, i: 0, r: 0, pages: (after) => store.queryOneShots(shardId, from, to, after) });
    reads.push({ k: 2, i: 0, r: 0, pages: (after) => store.queryCron(shardId, from, to, after) });
    return reads;
  }
  async dispatchWindow(shardId, intervals, from, to, cursor, run) {
    const { store, clock, dispatcher, log } = this.deps;
    const reads = this.readsOf(shardId, intervals, from, to).filter((read) => read.k < 2 && (!cursor || compareReads(read, cursor) >= 0));
    async function* items() {
      for (const read of reads) {
        const after = cursor && compareReads(read, cursor) === 0 ? cursor.a : void 0;
        for await (const page of read.pages(after)) {
          if (read.k === 0 && page.timers.length > 0) run.seen.add(read.i);
          yield page.timers.map((timer, n2) => {
            if (timer.kind === "periodic" && hasEndedBy(timer, to) && run.ended.length < MAX_RETIRED_PER_WINDOW) run.ended.push(timer);
            const firings = timer.pausedAt === void 0 ? sendable(timer, tickFiringsInWindow(timer, from, to), run) : [];
            return { firings, position: { to, k: read.k, i: read.i, r: read.r, a: page.positions[n2] } };
          });
        }
      }
    }
    let lastCheckpointAt = clock.now();
    let checkpointing = Promise.resolve();
    let lostLease = false;
    const onProgress = (position) => {
      const now = clock.now();
      if (now - lastCheckpointAt < CHECKPOINT_EVERY_MS) return;
      lastCheckpointAt = now;
      checkpointing = checkpointing.then(async () => {
        try {
          if (!await store.checkpoint(shardId, run.owner, from, JSON.stringify(position), run.leaseUntil)) lostLease = true;
        } catch (err) {
          log.warn("could not record the tick cursor", { shardId, error: String(err) });
        }
      });
    };
    const outcome = await dispatcher.dispatchStream(items(), {
      shouldStop: () => lostLease || run.stopAt !== void 0 && clock.now() >= run.stopAt,
      onProgress,
      // Retries stop halfway through the reserve, leaving the rest for the checkpoint and the hand-over.
      giveUpAt: run.stopAt === void 0 || run.deadline === void 0 ? void 0 : (run.stopAt + run.deadline) / 2
    });
    await checkpointing;
    if (!outcome.complete || lostLease) return { ...outcome, lostLease };
    const cron = await this.dispatchCron(shardId, from, to, cursor?.k === 2 ? cursor.a : void 0, run, () => lostLease);
    const report = outcome.report;
    addReport(report, cron.report);
    return { report, position: cron.position ?? outcome.position, complete: cron.complete, lostLease: cron.lostLease };
  }
  /**
   * The cron read of a window, in chunks of timers: sends each timer's firings up to a new `tickFrom`, then stores the
   * chunk's timers moved on to their next firing (see the file's comment). A chunk ends after the timer that brings
   * its firings to CRON_SEND_SLICE, so a page of timers far behind (a long outage) is still done a part at a time,
   * and the time left is checked between chunks. Incomplete when the time is up, the lease is lost or a firing was not
   * accepted; the position is then after the last timer whose move is stored.
   */
  async dispatchCron(shardId, from, to, after, run, leaseLost) {
    const { store, clock, dispatcher, log } = this.deps;
    const report = emptyReport();
    let position;
    let lostLease = false;
    let lastCheckpointAt = clock.now();
    const giveUpAt = run.stopAt === void 0 || run.deadline === void 0 ? void 0 : (run.stopAt + run.deadline) / 2;
    const send = async (firings) => {
      if (firings.length === 0) return true;
      const sent = await dispatcher.dispatch([firings], { giveUpAt });
      addReport(report, sent);
      return sent.failed === 0;
    };
    const timeIsUp = () => leaseLost() || lostLease || run.stopAt !== void 0 && clock.now() >= run.stopAt;
    const incomplete = () => ({ report, position, complete: false, lostLease });
    if (after === void 0 && Math.floor(from / STRANDED_SWEEP_MS) !== Math.floor(to / STRANDED_SWEEP_MS)) {
      if (!await this.recoverStranded(shardId, from, to, send, run)) return incomplete();
    }
    for await (const page of store.queryCron(shardId, from, to, after)) {
      const timers = page.timers;
      for (let start = 0; start < timers.length; ) {
        if (timeIsUp()) return incomplete();
        const chunk = await this.moveCronChunk(timers, start, to, send, run);
        if (chunk === void 0) return incomplete();
        start = chunk;
        position = { to, k: 2, i: 0, r: 0, a: page.positions[start - 1] };
        if (clock.now() - lastCheckpointAt < CHECKPOINT_EVERY_MS) continue;
        lastCheckpointAt = clock.now();
        try {
          if (!await store.checkpoint(shardId, run.owner, from, JSON.stringify(position), run.leaseUntil)) lostLease = true;
        } catch (err) {
          log.warn("could not record the tick cursor", { shardId, error: String(err) });
        }
      }
    }
    return { report, position, complete: !lostLease, lostLease };
  }
  /**
   * Finds cron timers stranded before the window: a timer moved to its next firing is read there by the tick whose
   * window holds it, which comes late enough for the index to show the move if the index lags no more than its
   * tolerance. Should it lag more, that tick missed the timer, and no later window reads it again. So once an hour a
   * tick reads the cron index over the hour before the window (less the lag tolerance and a window, where copies the
   * index still shows at their old place are normal), reads each timer found there consistently, and moves on those
   * still stored there: their firings go out late and are counted as such, none is lost. A move the index shows
   * more than an hour late is not found: the heartbeat and lag alarms page long before.
   */
  async recoverStranded(shardId, from, to, send, policy) {
    const { store, log } = this.deps;
    const sweepTo = from - this.config.indexLagToleranceMs - this.config.windowMs;
    const stranded = [];
    for await (const page of store.queryCron(shardId, from - STRANDED_SWEEP_MS, sweepTo)) {
      for (const copy of page.timers) {
        const stored = await store.getTimer(copy.id);
        if (stored?.kind === "cron" && stored.dueAt !== void 0 && stored.dueAt < from && stored.pausedAt === void 0) stranded.push(stored);
      }
    }
    if (stranded.length === 0) return true;
    log.warn("found cron timers the schedule index showed later than its lag tolerance; sending their firings late", {
      shardId,
      timers: stranded.length
    });
    for (let start = 0; start < stranded.length; ) {
      const next = await this.moveCronChunk(stranded, start, to, send, policy);
      if (next === void 0) return false;
      start = next;
    }
    return true;
  }
  /**
   * Moves on the cron timers of a page from `start`, up to the one that brings their firings to CRON_SEND_SLICE:
   * sends their firings up to a new `tickFrom`, then stores them at their next firing from there. Returns where the
   * next chunk starts, or undefined when a firing was not accepted (nothing of the chunk is stored then).
   *
   * The new `tickFrom` is as far ahead as a PUT sends, measured from when the chunk began: a tick that reads the
   * schedule before the moves show there owes nothing before it, provided the moves land within `createWithinMs`.
   * A chunk slower than that (queue retries, throttled writes) is covered as a slow PUT is: its firings up to a new
   * boundary measured from then are sent, and the timers moved again.
   */
  async moveCronChunk(timers, start, to, send, policy) {
    const { store, clock } = this.deps;
    const { directSendMs, createWithinMs, oneShotRetentionMs } = this.config;
    const startedAt = clock.now();
    const tickFrom = Math.max(to, ceilSecond(startedAt + directSendMs) * 1e3);
    const advances = [];
    const firings = [];
    let end = start;
    while (end < timers.length && firings.length < CRON_SEND_SLICE) {
      const timer = timers[end++];
      if (timer.kind !== "cron" || timer.pausedAt !== void 0) continue;
      for (const firing of sendable(timer, firingsInWindow(timer, timer.tickFrom, tickFrom), policy)) firings.push(firing);
      advances.push({ read: timer, next: withTickFrom(timer, tickFrom, oneShotRetentionMs) });
    }
    if (!await send(firings)) return void 0;
    await store.advanceCronTimers(advances);
    let moved = advances;
    let movedFrom = startedAt;
    while (clock.now() - movedFrom > createWithinMs && moved.length > 0) {
      movedFrom = clock.now();
      const later = ceilSecond(movedFrom + directSendMs) * 1e3;
      const again = moved.map(({ next }) => ({ read: next, next: withTickFrom(next, later, oneShotRetentionMs) }));
      if (!await send(again.flatMap(({ read }) => firingsInWindow(read, read.tickFrom, later)))) return void 0;
      await store.advanceCronTimers(again);
      moved = again;
    }
    return end;
  }
  /** Takes ended timers out of the schedule, as time allows; what is left is found and retired by a later window. */
  async retire(ended, stopAt) {
    const { store, clock, log } = this.deps;
    let retired = 0;
    for (let i = 0; i < ended.length; i += RETIRE_CHUNK) {
      if (stopAt !== void 0 && clock.now() >= stopAt) break;
      const chunk = ended.slice(i, i + RETIRE_CHUNK);
      try {
        await store.retireTimers(chunk);
        retired += chunk.length;
      } catch (err) {
        log.warn("could not retire ended timers; a later tick retries", { count: chunk.length, error: String(err) });
        break;
      }
    }
    return retired;
  }
};

// src/envars.ts
var Envar = {
  /** Name of the DynamoDB timer table. */
  TABLE_NAME: "TIMER_TABLE_NAME",
  /** URL of the callback SQS queue. */
  QUEUE_URL: "TIMER_QUEUE_URL",
  /** Number of shards. */
  SHARD_COUNT: "TIMER_SHARD_COUNT",
  /** Tick period in whole seconds; also the default timer interval. */
  PERIOD_SECONDS: "TIMER_PERIOD_SECONDS",
  /** SendMessageBatch calls in flight per tick. */
  BATCH_CONCURRENCY: "TIMER_BATCH_CONCURRENCY",
  /** How long the schedule index may lag a write without a firing being missed (ms, whole seconds). */
  INDEX_LAG_TOLERANCE_MS: "TIMER_INDEX_LAG_TOLERANCE_MS",
  /** The longest a PUT takes from its start to the end of its write (ms): the API function's timeout. */
  CREATE_WITHIN_MS: "TIMER_CREATE_WITHIN_MS",
  /** How long a fired one-shot timer still reads as fired (seconds). */
  ONESHOT_RETENTION_SECONDS: "TIMER_ONESHOT_RETENTION_SECONDS"
};

// src/aws/dynamo-store.ts
var import_client_dynamodb = require("@aws-sdk/client-dynamodb");

// src/aws/table-schema.ts
var TableSchema = {
  PARTITION_KEY: "id",
  INDEX_NAME: "schedule",
  INDEX_PARTITION_KEY: "gsiPk",
  INDEX_SORT_KEY: "gsiSk",
  TTL_ATTRIBUTE: "ttl",
  /** Where a retired periodic timer keeps its index keys, outside the index. */
  ENDED_PARTITION_KEY: "endedPk",
  ENDED_SORT_KEY: "endedSk",
  /** Width of a phase bucket of periodic offsets, in seconds. */
  PHASE_BUCKET_SECONDS: 60,
  /** Width of a bucket of one-shot due instants, in ms. */
  DUE_BUCKET_MS: 6e4,
  /** Index partitions each bucket is spread over by a hash of the id (the arithmetic is above). */
  SPREAD_PARTITIONS: 10,
  /** Prefix of the shard state items' ids. */
  SHARD_ITEM_PREFIX: "#shard#",
  /** Prefix of the interval registry items' ids: `#iv#{shardId}#{interval}`. */
  INTERVAL_ITEM_PREFIX: "#iv#"
};

// src/aws/dynamo-store.ts
var {
  PARTITION_KEY,
  INDEX_NAME,
  INDEX_PARTITION_KEY,
  INDEX_SORT_KEY,
  TTL_ATTRIBUTE,
  ENDED_PARTITION_KEY,
  ENDED_SORT_KEY,
  PHASE_BUCKET_SECONDS,
  DUE_BUCKET_MS,
  SPREAD_PARTITIONS,
  SHARD_ITEM_PREFIX,
  INTERVAL_ITEM_PREFIX
} = TableSchema;
var OFFSET_WIDTH = 6;
var DUE_WIDTH = 15;
var AFTER_SEPARATOR = "$";
var DAY_MS = 24 * 3600 * 1e3;
var REGISTRY_LIFETIME_MS = 14 * DAY_MS;
var REGISTRY_KEEP_MS = 13 * DAY_MS;
var REGISTRY_REFRESH_HORIZON_MS = 3600 * 1e3;
var MAX_REMEMBERED_INTERVALS = 1e4;
var WRITE_CONCURRENCY = 10;
function pad(value, width) {
  return String(value).padStart(width, "0");
}
var SPREAD_SEED = 1013904242;
function spreadOf(id) {
  return seededHash(id, SPREAD_SEED) % SPREAD_PARTITIONS;
}
function shardKey(shardId) {
  return { [PARTITION_KEY]: { S: `${SHARD_ITEM_PREFIX}${shardId}` } };
}
function bucketPartition(shardId, interval, bucket, spread) {
  return `P#${shardId}#${interval}#${bucket}#${spread}`;
}
function minutePartition(shardId, minute, spread, prefix = "O") {
  return `${prefix}#${shardId}#${minute}#${spread}`;
}
function registryPartition(shardId) {
  return `I#${shardId}`;
}
function periodicPartition(shardId, interval, offset, id) {
  return bucketPartition(shardId, interval, Math.floor(offset / PHASE_BUCKET_SECONDS), spreadOf(id));
}
function oneShotPartition(shardId, fireAt, id) {
  return minutePartition(shardId, Math.floor(fireAt / DUE_BUCKET_MS), spreadOf(id));
}
function n(value) {
  return { N: String(value) };
}
function num(item, name) {
  const value = item[name]?.N;
  return value === void 0 ? void 0 : Number(value);
}
function str(item, name) {
  return item[name]?.S;
}
function required(value, name, item) {
  if (value === void 0) {
    throw new Error(`timer item ${JSON.stringify(item[PARTITION_KEY]?.S)} has no "${name}" attribute: the table holds an item this store did not write`);
  }
  return value;
}
function ttlOf(ms) {
  return n(Math.ceil(ms / 1e3));
}
function cronPartition(shardId, dueAt, id) {
  return minutePartition(shardId, Math.floor(dueAt / DUE_BUCKET_MS), spreadOf(id), "C");
}
function cronDue(timer) {
  return timer.dueAt ?? timer.tickFrom;
}
function sortKeyOf(timer) {
  if (timer.kind === "periodic") return `${pad(timer.offset, OFFSET_WIDTH)}#${timer.id}`;
  return `${pad(timer.kind === "oneshot" ? timer.fireAt : cronDue(timer), DUE_WIDTH)}#${timer.id}`;
}
function partitionOf(timer) {
  if (timer.kind === "periodic") return periodicPartition(timer.shardId, timer.interval, timer.offset, timer.id);
  return timer.kind === "oneshot" ? oneShotPartition(timer.shardId, timer.fireAt, timer.id) : cronPartition(timer.shardId, cronDue(timer), timer.id);
}
function timerToItem(timer) {
  const indexed = timer.kind !== "cron" || timer.dueAt !== void 0;
  const item = {
    [PARTITION_KEY]: { S: timer.id },
    [indexed ? INDEX_PARTITION_KEY : ENDED_PARTITION_KEY]: { S: partitionOf(timer) },
    [indexed ? INDEX_SORT_KEY : ENDED_SORT_KEY]: { S: sortKeyOf(timer) },
    data: { S: timer.data },
    createdAt: n(timer.createdAt),
    tickFrom: n(timer.tickFrom)
  };
  if (timer.kind !== "oneshot") {
    if (timer.startAt !== void 0) item.startAt = n(timer.startAt);
    if (timer.endAt !== void 0) item.endAt = n(timer.endAt);
  }
  if (timer.kind === "cron") {
    item.cron = { S: timer.cron };
    item.timeZone = { S: timer.timeZone };
  }
  if (timer.expiresAt !== void 0) item[TTL_ATTRIBUTE] = ttlOf(timer.expiresAt);
  if (timer.pausedAt !== void 0) item.pausedAt = n(timer.pausedAt);
  if (timer.missedFirings !== void 0) item.missedFirings = { S: timer.missedFirings };
  return item;
}
function timerKeys(item) {
  const live = str(item, INDEX_PARTITION_KEY);
  const partition = live ?? str(item, ENDED_PARTITION_KEY);
  const sortKey = live !== void 0 ? str(item, INDEX_SORT_KEY) : str(item, ENDED_SORT_KEY);
  const parts = partition?.split("#");
  if (!parts || sortKey === void 0) return void 0;
  if (parts[0] === "P" && parts.length === 5 || (parts[0] === "O" || parts[0] === "C") && parts.length === 4) {
    return { parts, sortKey, indexed: live !== void 0 };
  }
  return void 0;
}
function sortKeyNumber(sortKey) {
  const value = Number(sortKey.slice(0, sortKey.indexOf("#")));
  return sortKey.includes("#") && Number.isFinite(value) ? value : void 0;
}
function optionalBase(item) {
  const pausedAt = num(item, "pausedAt");
  const missedFirings = str(item, "missedFirings");
  return {
    ...pausedAt !== void 0 && { pausedAt },
    ...(missedFirings === "latest" || missedFirings === "none") && { missedFirings }
  };
}
function itemToTimer(item) {
  const keys = item && timerKeys(item);
  if (!item || !keys) return void 0;
  const { parts, sortKey } = keys;
  const createdAt = required(num(item, "createdAt"), "createdAt", item);
  const base = {
    id: required(str(item, PARTITION_KEY), PARTITION_KEY, item),
    shardId: parts[1],
    data: required(str(item, "data"), "data", item),
    createdAt,
    // Written by every version that has a `tickFrom`; a tick owes an item without one every firing since its creation.
    tickFrom: num(item, "tickFrom") ?? createdAt,
    ...optionalBase(item)
  };
  const keyNumber = required(sortKeyNumber(sortKey), INDEX_SORT_KEY, item);
  const ttl = num(item, TTL_ATTRIBUTE);
  if (parts[0] === "P") {
    const startAt = num(item, "startAt");
    const endAt = num(item, "endAt");
    const timer2 = {
      ...base,
      kind: "periodic",
      interval: Number(parts[2]),
      offset: keyNumber,
      ...startAt !== void 0 && { startAt },
      ...endAt !== void 0 && { endAt },
      ...ttl !== void 0 && { expiresAt: ttl * 1e3 }
    };
    return timer2;
  }
  if (parts[0] === "C") {
    const startAt = num(item, "startAt");
    const endAt = num(item, "endAt");
    const timer2 = {
      ...base,
      kind: "cron",
      cron: required(str(item, "cron"), "cron", item),
      timeZone: required(str(item, "timeZone"), "timeZone", item),
      ...startAt !== void 0 && { startAt },
      ...endAt !== void 0 && { endAt },
      ...keys.indexed && { dueAt: keyNumber },
      ...ttl !== void 0 && { expiresAt: ttl * 1e3 }
    };
    return timer2;
  }
  const timer = {
    ...base,
    kind: "oneshot",
    fireAt: keyNumber,
    // A paused one-shot has no expiry.
    ...base.pausedAt === void 0 ? { expiresAt: required(ttl, TTL_ATTRIBUTE, item) * 1e3 } : ttl !== void 0 && { expiresAt: ttl * 1e3 }
  };
  return timer;
}
function itemToShardState(shardId, item) {
  const watermark = item && num(item, "watermark");
  if (!item || watermark === void 0) return void 0;
  const leaseOwner = str(item, "leaseOwner");
  const leaseUntil = num(item, "leaseUntil");
  const cursor = str(item, "cursor");
  return {
    shardId,
    watermark,
    ...leaseOwner !== void 0 && { leaseOwner },
    ...leaseUntil !== void 0 && { leaseUntil },
    ...cursor !== void 0 && { cursor }
  };
}
function isConditionFailure(err) {
  return err instanceof import_client_dynamodb.ConditionalCheckFailedException || err?.name === "ConditionalCheckFailedException";
}
function encodePosition(position) {
  return `${position.bucket}:${position.spread}:${position.sortKey}`;
}
function decodePosition(raw) {
  const match = /^(\d+):(\d+):(\d+#.+)$/.exec(raw);
  if (!match) return void 0;
  return { bucket: Number(match[1]), spread: Number(match[2]), sortKey: match[3] };
}
async function forEachLimited(items, limit, task) {
  let next = 0;
  let failure;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
var DynamoTimerStore = class {
  constructor(options) {
    this.options = options;
    this.client = options.client;
    this.tableName = options.tableName;
    this.capacity = options.onConsumedCapacity ? { ReturnConsumedCapacity: "TOTAL" } : {};
    if (options.queryPageLimit !== void 0 && (!Number.isInteger(options.queryPageLimit) || options.queryPageLimit < 1)) {
      throw new Error(`queryPageLimit must be a whole number of at least 1, got ${options.queryPageLimit}`);
    }
  }
  options;
  client;
  tableName;
  capacity;
  /** When each registry item this instance wrote or read expires (epoch ms), by `{shardId}#{interval}`. */
  registryExpiry = /* @__PURE__ */ new Map();
  report(operation, capacity) {
    if (capacity) this.options.onConsumedCapacity?.(operation, capacity);
  }
  /** An UpdateItem; false when its condition failed. */
  async update(input) {
    try {
      const out = await this.client.send(new import_client_dynamodb.UpdateItemCommand({ TableName: this.tableName, ...input, ...this.capacity }));
      this.report("UpdateItem", out.ConsumedCapacity);
      return out.Attributes;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
  async putTimer(timer) {
    const out = await this.client.send(new import_client_dynamodb.PutItemCommand({ TableName: this.tableName, Item: timerToItem(timer), ...this.capacity }));
    this.report("PutItem", out.ConsumedCapacity);
  }
  /** A PutItem conditional on the `createdAt`, `tickFrom` and `pausedAt` read. */
  async replaceTimer(expected, next) {
    const values = { ":createdAt": n(expected.createdAt), ":tickFrom": n(expected.tickFrom) };
    let paused = "attribute_not_exists(pausedAt)";
    if (expected.pausedAt !== void 0) {
      values[":pausedAt"] = n(expected.pausedAt);
      paused = "pausedAt = :pausedAt";
    }
    try {
      const out = await this.client.send(new import_client_dynamodb.PutItemCommand({
        TableName: this.tableName,
        Item: timerToItem(next),
        ConditionExpression: `createdAt = :createdAt AND tickFrom = :tickFrom AND ${paused}`,
        ExpressionAttributeValues: values,
        ...this.capacity
      }));
      this.report("PutItem", out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
  async getTimer(id) {
    const out = await this.client.send(
      new import_client_dynamodb.GetItemCommand({ TableName: this.tableName, Key: { [PARTITION_KEY]: { S: id } }, ConsistentRead: true, ...this.capacity })
    );
    this.report("GetItem", out.ConsumedCapacity);
    return itemToTimer(out.Item);
  }
  async deleteTimer(id) {
    const out = await this.client.send(
      new import_client_dynamodb.DeleteItemCommand({ TableName: this.tableName, Key: { [PARTITION_KEY]: { S: id } }, ReturnValues: "ALL_OLD", ...this.capacity })
    );
    this.report("DeleteItem", out.ConsumedCapacity);
    return itemToTimer(out.Attributes);
  }
  // --- The interval registry -----------------------------------------------------------------------------------
  //
  // One small item per (shard, interval) in use, `#iv#{shard}#{interval}`, in the index under `I#{shard}` so that a
  // tick lists a shard's intervals with one Query. It replaces a set on the shard item, which every periodic PUT
  // wrote (a hot key capping creates near 1,000/s per shard) and which only grew (toward the 400 KB item limit).
  //
  // Bounded and self-pruning: each item is a few dozen bytes, there is at most one per interval in use (at most one
  // per whole second up to 7 days), and each carries a TTL of its last write + interval + 14 days. The API writes it
  // before the first timer of its interval, then at most once an hour per container; a tick that finds timers of an
  // interval rewrites it once its expiry is less than interval + 13 days away (so about daily, and a tick finds
  // every live timer of an interval within one interval). An interval no timer uses any more is not rewritten, its
  // item expires, and once DynamoDB removes it no tick queries that interval again. A shard not ticked for 13 days
  // would let its registry lapse: the heartbeat alarm pages long before.
  registryKey(shardId, interval) {
    return `${shardId}#${interval}`;
  }
  remember(shardId, interval, expiresAt) {
    if (this.registryExpiry.size >= MAX_REMEMBERED_INTERVALS) this.registryExpiry.clear();
    this.registryExpiry.set(this.registryKey(shardId, interval), expiresAt);
  }
  async writeRegistry(shardId, interval, nowMs) {
    const ttl = ttlOf(nowMs + interval * 1e3 + REGISTRY_LIFETIME_MS);
    await this.update({
      Key: { [PARTITION_KEY]: { S: `${INTERVAL_ITEM_PREFIX}${shardId}#${interval}` } },
      UpdateExpression: "SET #pk = :pk, #sk = :sk, #ttl = :ttl",
      ExpressionAttributeNames: { "#pk": INDEX_PARTITION_KEY, "#sk": INDEX_SORT_KEY, "#ttl": TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ":pk": { S: registryPartition(shardId) }, ":sk": { S: pad(interval, OFFSET_WIDTH) }, ":ttl": ttl }
    });
    this.remember(shardId, interval, Number(ttl.N) * 1e3);
  }
  async registerInterval(shardId, intervalSeconds, nowMs) {
    const expiry = this.registryExpiry.get(this.registryKey(shardId, intervalSeconds));
    if (expiry !== void 0 && expiry >= nowMs + intervalSeconds * 1e3 + REGISTRY_LIFETIME_MS - REGISTRY_REFRESH_HORIZON_MS) return;
    await this.writeRegistry(shardId, intervalSeconds, nowMs);
  }
  async listIntervals(shardId) {
    const intervals = [];
    let startKey;
    do {
      const out = await this.client.send(
        new import_client_dynamodb.QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX_NAME,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": INDEX_PARTITION_KEY },
          ExpressionAttributeValues: { ":pk": { S: registryPartition(shardId) } },
          ExclusiveStartKey: startKey,
          ...this.capacity
        })
      );
      this.report("Query", out.ConsumedCapacity);
      for (const item of out.Items ?? []) {
        const interval = Number(str(item, INDEX_SORT_KEY));
        if (!Number.isInteger(interval) || interval < 1) continue;
        intervals.push(interval);
        const ttl = num(item, TTL_ATTRIBUTE);
        if (ttl !== void 0) this.remember(shardId, interval, ttl * 1e3);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return intervals.sort((a, b2) => a - b2);
  }
  async keepIntervals(shardId, intervals, nowMs) {
    const due = intervals.filter((interval) => {
      const expiry = this.registryExpiry.get(this.registryKey(shardId, interval));
      return expiry === void 0 || expiry < nowMs + interval * 1e3 + REGISTRY_KEEP_MS;
    });
    await forEachLimited(due, WRITE_CONCURRENCY, (interval) => this.writeRegistry(shardId, interval, nowMs));
  }
  // --- Shard state: watermark, lease and cursor, a few hundred bytes at most -----------------------------------
  async getShardState(shardId) {
    const out = await this.client.send(
      new import_client_dynamodb.GetItemCommand({ TableName: this.tableName, Key: shardKey(shardId), ConsistentRead: true, ...this.capacity })
    );
    this.report("GetItem", out.ConsumedCapacity);
    return itemToShardState(shardId, out.Item);
  }
  async initShardState(shardId, watermark) {
    const out = await this.update({
      Key: shardKey(shardId),
      UpdateExpression: "SET watermark = if_not_exists(watermark, :w)",
      ExpressionAttributeValues: { ":w": n(watermark) },
      ReturnValues: "ALL_NEW"
    });
    const state = out ? itemToShardState(shardId, out) : void 0;
    if (!state) throw new Error(`initializing the state of ${shardId} returned no watermark; check that the table is the timer table`);
    return state;
  }
  async claimShard(claim) {
    const free = `attribute_not_exists(leaseOwner) OR leaseUntil <= :now${claim.takeOverFrom !== void 0 ? " OR leaseOwner = :from" : ""}`;
    const out = await this.update({
      Key: shardKey(claim.shardId),
      UpdateExpression: "SET leaseOwner = :owner, leaseUntil = :lease",
      ConditionExpression: `attribute_exists(watermark) AND (${free})`,
      ExpressionAttributeValues: {
        ":owner": { S: claim.owner },
        ":lease": n(claim.leaseUntil),
        ":now": n(claim.nowMs),
        ...claim.takeOverFrom !== void 0 && { ":from": { S: claim.takeOverFrom } }
      },
      ReturnValues: "ALL_NEW"
    });
    return out ? itemToShardState(claim.shardId, out) : void 0;
  }
  async checkpoint(shardId, owner, watermark, cursor, leaseUntil) {
    const out = await this.update({
      Key: shardKey(shardId),
      UpdateExpression: cursor === void 0 ? "SET leaseUntil = :lease REMOVE #cursor" : "SET leaseUntil = :lease, #cursor = :cursor",
      ConditionExpression: "leaseOwner = :owner AND watermark = :w",
      ExpressionAttributeNames: { "#cursor": "cursor" },
      ExpressionAttributeValues: {
        ":owner": { S: owner },
        ":w": n(watermark),
        ":lease": n(leaseUntil),
        ...cursor !== void 0 && { ":cursor": { S: cursor } }
      }
    });
    return out !== false;
  }
  async advanceWatermark(shardId, owner, from, to) {
    const out = await this.update({
      Key: shardKey(shardId),
      UpdateExpression: "SET watermark = :to REMOVE #cursor",
      ConditionExpression: "leaseOwner = :owner AND watermark = :from",
      ExpressionAttributeNames: { "#cursor": "cursor" },
      ExpressionAttributeValues: { ":owner": { S: owner }, ":from": n(from), ":to": n(to) }
    });
    return out !== false;
  }
  async releaseShard(shardId, owner) {
    await this.update({
      Key: shardKey(shardId),
      UpdateExpression: "REMOVE leaseOwner, leaseUntil",
      ConditionExpression: "leaseOwner = :owner",
      ExpressionAttributeValues: { ":owner": { S: owner } }
    });
  }
  // --- Schedule reads ------------------------------------------------------------------------------------------
  queryPeriodic(shardId, intervalSeconds, offsetFrom, offsetTo, after) {
    const lo = Math.max(0, Math.ceil(offsetFrom));
    const hi = Math.min(intervalSeconds, Math.ceil(offsetTo));
    const buckets = [];
    for (let bucket = Math.floor(lo / PHASE_BUCKET_SECONDS); bucket * PHASE_BUCKET_SECONDS < hi; bucket++) {
      const first = Math.max(lo, bucket * PHASE_BUCKET_SECONDS);
      const last = Math.min(hi, (bucket + 1) * PHASE_BUCKET_SECONDS) - 1;
      buckets.push({ bucket, sortFrom: pad(first, OFFSET_WIDTH), sortTo: `${pad(last, OFFSET_WIDTH)}${AFTER_SEPARATOR}` });
    }
    return this.readBuckets(buckets, (bucket, spread) => bucketPartition(shardId, intervalSeconds, bucket, spread), after);
  }
  queryOneShots(shardId, fromMs, toMs, after) {
    return this.queryDue("O", shardId, fromMs, toMs, after);
  }
  queryCron(shardId, fromMs, toMs, after) {
    return this.queryDue("C", shardId, fromMs, toMs, after);
  }
  /** The timers of a shard placed by a due instant in [fromMs, toMs): one range per due minute. */
  queryDue(prefix, shardId, fromMs, toMs, after) {
    const lo = Math.max(0, Math.ceil(fromMs));
    const hi = Math.ceil(toMs);
    const buckets = [];
    for (let minute = Math.floor(lo / DUE_BUCKET_MS); minute * DUE_BUCKET_MS < hi; minute++) {
      const first = Math.max(lo, minute * DUE_BUCKET_MS);
      const last = Math.min(hi, (minute + 1) * DUE_BUCKET_MS) - 1;
      buckets.push({ bucket: minute, sortFrom: pad(first, DUE_WIDTH), sortTo: `${pad(last, DUE_WIDTH)}${AFTER_SEPARATOR}` });
    }
    return this.readBuckets(buckets, (minute, spread) => minutePartition(shardId, minute, spread, prefix), after);
  }
  /**
   * Every page of a read over buckets, each bucket's spread partitions in order 0..SPREAD_PARTITIONS-1. With `after`,
   * the partitions before the position's are skipped and its own is resumed right after its timer. A position this
   * store cannot read restarts the read from its beginning: a duplicate after a fault, never a loss.
   *
   * The first page of every partition of a bucket is asked for at once, so a bucket costs one round trip however many
   * of its partitions are empty; later pages of a partition follow one by one, as the caller reads them. At most
   * SPREAD_PARTITIONS pages (1 MB each) are held ahead of the caller.
   */
  async *readBuckets(buckets, partition, after) {
    const start = after === void 0 ? void 0 : decodePosition(after);
    for (const range of buckets) {
      if (start && range.bucket < start.bucket) continue;
      const reads = [];
      for (let spread = 0; spread < SPREAD_PARTITIONS; spread++) {
        const pk = partition(range.bucket, spread);
        if (!start || range.bucket > start.bucket || spread > start.spread) {
          reads.push({ spread, pk });
          continue;
        }
        if (spread < start.spread) continue;
        if (start.sortKey > range.sortTo) continue;
        const startKey = start.sortKey < range.sortFrom ? void 0 : {
          [PARTITION_KEY]: { S: start.sortKey.slice(start.sortKey.indexOf("#") + 1) },
          [INDEX_PARTITION_KEY]: { S: pk },
          [INDEX_SORT_KEY]: { S: start.sortKey }
        };
        reads.push({ spread, pk, ...startKey && { startKey } });
      }
      const firstPages = reads.map((read) => {
        const page = this.queryPage(read.pk, range, read.startKey);
        page.catch(() => void 0);
        return page;
      });
      for (const [i, read] of reads.entries()) {
        let page = await firstPages[i];
        for (; ; ) {
          if (page.timers.length > 0) {
            const positions = page.sortKeys.map((sortKey) => encodePosition({ bucket: range.bucket, spread: read.spread, sortKey }));
            const out = { timers: page.timers, positions };
            yield out;
          }
          if (!page.lastKey) break;
          page = await this.queryPage(read.pk, range, page.lastKey);
        }
      }
    }
  }
  /** One page of one index partition between two sort keys (inclusive): its timers with their sort keys. */
  async queryPage(pk, range, startKey) {
    const out = await this.client.send(
      new import_client_dynamodb.QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX_NAME,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
        ExpressionAttributeNames: { "#pk": INDEX_PARTITION_KEY, "#sk": INDEX_SORT_KEY },
        ExpressionAttributeValues: { ":pk": { S: pk }, ":from": { S: range.sortFrom }, ":to": { S: range.sortTo } },
        ExclusiveStartKey: startKey,
        Limit: this.options.queryPageLimit,
        ...this.capacity
      })
    );
    this.report("Query", out.ConsumedCapacity);
    const timers = [];
    const sortKeys = [];
    for (const item of out.Items ?? []) {
      const timer = itemToTimer(item);
      if (!timer) continue;
      timers.push(timer);
      sortKeys.push(str(item, INDEX_SORT_KEY));
    }
    return { timers, sortKeys, ...out.LastEvaluatedKey && { lastKey: out.LastEvaluatedKey } };
  }
  /**
   * Moves each cron timer to its next firing: new index keys and `tickFrom` (an index write moves it: a delete and a
   * put in the index besides the item's write), or, with none left, its keys out of the index and a TTL. Conditional
   * on the `createdAt`, `tickFrom` and place the tick read: a timer PUT again or deleted meanwhile is left as it is.
   */
  async advanceCronTimers(advances) {
    await forEachLimited(advances, WRITE_CONCURRENCY, async ({ read, next }) => {
      const names = { "#pk": INDEX_PARTITION_KEY, "#sk": INDEX_SORT_KEY };
      const values = {
        ":createdAt": n(read.createdAt),
        ":read": n(read.tickFrom),
        ":readSk": { S: sortKeyOf(read) },
        ":tickFrom": n(next.tickFrom),
        ":pk": { S: partitionOf(next) },
        ":sk": { S: sortKeyOf(next) }
      };
      let update;
      if (next.dueAt !== void 0) {
        update = "SET #pk = :pk, #sk = :sk, tickFrom = :tickFrom";
      } else {
        Object.assign(names, { "#epk": ENDED_PARTITION_KEY, "#esk": ENDED_SORT_KEY, "#ttl": TTL_ATTRIBUTE });
        values[":ttl"] = ttlOf(next.expiresAt ?? next.tickFrom);
        update = "SET #epk = :pk, #esk = :sk, tickFrom = :tickFrom, #ttl = :ttl REMOVE #pk, #sk";
      }
      await this.update({
        Key: { [PARTITION_KEY]: { S: read.id } },
        UpdateExpression: update,
        // The place it was read at too: two PUTs of the id in one millisecond share createdAt and tickFrom.
        ConditionExpression: "createdAt = :createdAt AND tickFrom = :read AND #sk = :readSk",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values
      });
    });
  }
  /**
   * Moves each ended timer's index keys out of the index (to `endedPk`/`endedSk`), so no Query reads it again, while
   * GET still reads it until its TTL removes it. Conditional on the keys and `createdAt` the tick read: a timer PUT
   * again meanwhile (new keys or a new `createdAt`) is left as it is.
   */
  async retireTimers(timers) {
    await forEachLimited(timers, WRITE_CONCURRENCY, async (timer) => {
      await this.update({
        Key: { [PARTITION_KEY]: { S: timer.id } },
        UpdateExpression: "SET #epk = #pk, #esk = #sk REMOVE #pk, #sk",
        ConditionExpression: "#pk = :pk AND #sk = :sk AND createdAt = :createdAt",
        ExpressionAttributeNames: { "#pk": INDEX_PARTITION_KEY, "#sk": INDEX_SORT_KEY, "#epk": ENDED_PARTITION_KEY, "#esk": ENDED_SORT_KEY },
        ExpressionAttributeValues: { ":pk": { S: partitionOf(timer) }, ":sk": { S: sortKeyOf(timer) }, ":createdAt": n(timer.createdAt) }
      });
    });
  }
};

// src/aws/sqs-queue.ts
var import_client_sqs = require("@aws-sdk/client-sqs");
var ENTRY_CONTENT_CODES = /* @__PURE__ */ new Set([
  "InvalidMessageContents",
  "InvalidParameterValue",
  "MessageTooLong",
  "InvalidAttributeName",
  "InvalidAttributeValue"
]);
var QUEUE_CONFIGURATION_FAULT = /not valid for this queue type/i;
function bareCode(code) {
  return code.replace(/^AWS\.SimpleQueueService\./, "").replace(/Exception$/, "");
}
function isPermanentSqsFailure(failure) {
  const senderFault = failure.SenderFault === true || String(failure.SenderFault) === "true";
  if (!senderFault || failure.Code === void 0) return false;
  const code = bareCode(failure.Code);
  if (!ENTRY_CONTENT_CODES.has(code)) return false;
  return !(code === "InvalidParameterValue" && QUEUE_CONFIGURATION_FAULT.test(failure.Message ?? ""));
}
function queueFailureOf(failure) {
  return {
    id: failure.Id ?? "",
    ...failure.Code !== void 0 && { code: failure.Code },
    ...failure.Message !== void 0 && { message: failure.Message },
    permanent: isPermanentSqsFailure(failure)
  };
}
var ALONE_CONTENT_CODES = /* @__PURE__ */ new Set([...ENTRY_CONTENT_CODES, "BatchRequestTooLong"]);
var DEPLOYMENT_OR_THROTTLING_CODE = new RegExp([
  "throttl",
  "toomanyrequests",
  "slowdown",
  "limitexceeded",
  "^OverLimit$",
  "AccessDenied",
  "InvalidSecurity",
  "UnrecognizedClient",
  "InvalidClientTokenId",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "ExpiredToken",
  "RequestExpired",
  "AuthFailure",
  "OptInRequired",
  "QueueDoesNotExist",
  "NonExistentQueue",
  "QueueDeletedRecently",
  "ResourceNotFound",
  "^InvalidAddress$",
  "^UnsupportedOperation$",
  "^Kms",
  "^KMS\\."
].join("|"), "i");
var ABOUT_THE_QUEUE = /queue/i;
function codeOfThrown(err) {
  return bareCode(err.Code ?? err.name ?? "");
}
function isEntryRequestFault(err) {
  if (typeof err !== "object" || err === null) return false;
  const e = err;
  const status = e.$metadata?.httpStatusCode;
  const clientFault = e.$fault === "client" || status !== void 0 && status >= 400 && status < 500;
  if (!clientFault || status === 429 || e.$retryable?.throttling) return false;
  const code = codeOfThrown(e);
  if (code === "" || DEPLOYMENT_OR_THROTTLING_CODE.test(code) || DEPLOYMENT_OR_THROTTLING_CODE.test(e.name ?? "")) return false;
  return !ABOUT_THE_QUEUE.test(e.message ?? "");
}
function queueFailureOfThrown(id, err) {
  const e = typeof err === "object" && err !== null ? err : {};
  const code = e.name ?? (e.Code !== void 0 ? bareCode(e.Code) : void 0);
  return {
    id,
    ...code !== void 0 && { code },
    message: e.message ?? String(err),
    permanent: isEntryRequestFault(err) && ALONE_CONTENT_CODES.has(codeOfThrown(e))
  };
}
var SqsFiringQueue = class {
  constructor(options) {
    this.options = options;
  }
  options;
  /**
   * Resolves with SQS's `Failed` entries. A request SQS refuses because of what an entry holds is sent again entry by
   * entry, so that the entry at fault is reported for good (the dispatcher sets it aside) and the others go through:
   * retrying the whole batch would be refused again on every attempt and every tick, holding the shard for good. Any
   * other refused request (throttling, a server fault, KMS, access, a missing queue, a timeout) is thrown, for the
   * dispatcher to retry.
   */
  async sendBatch(entries) {
    if (entries.length === 0) return [];
    try {
      return await this.send(entries);
    } catch (err) {
      if (!isEntryRequestFault(err)) throw err;
      if (entries.length === 1) {
        const failure = queueFailureOfThrown(entries[0].id, err);
        if (!failure.permanent) throw err;
        return [failure];
      }
      return this.sendEachAlone(entries);
    }
  }
  /**
   * One request per entry, in order. An entry refused alone for its content is reported for good; one refused for
   * something else that is still about it, for a retry. A refusal about anything but the entry (throttling, the
   * queue, a timeout) ends the round: the entries not yet sent are reported for a retry with it, since each would
   * meet it too.
   */
  async sendEachAlone(entries) {
    const failures = [];
    for (let i = 0; i < entries.length; i++) {
      try {
        failures.push(...await this.send([entries[i]]));
      } catch (err) {
        failures.push(queueFailureOfThrown(entries[i].id, err));
        if (!isEntryRequestFault(err)) {
          for (const rest of entries.slice(i + 1)) failures.push(queueFailureOfThrown(rest.id, err));
          break;
        }
      }
    }
    return failures;
  }
  async send(entries) {
    const out = await this.options.client.send(
      new import_client_sqs.SendMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: entries.map((entry) => ({
          Id: entry.id,
          MessageBody: entry.body,
          DelaySeconds: entry.delaySeconds,
          MessageAttributes: Object.fromEntries(
            Object.entries(entry.attributes).map(([name, value]) => [name, { DataType: "String", StringValue: value }])
          )
        }))
      })
    );
    const failed = out.Failed;
    return failed === void 0 || failed.length === 0 ? [] : failed.map(queueFailureOf);
  }
};

// src/aws/engine-from-env.ts
function requiredString(env3, name) {
  const value = env3[name];
  if (value === void 0 || value.trim() === "") {
    throw new Error(`environment variable ${name} is not set: the ServerlessTimer construct sets it on the function; set it when running the handler elsewhere`);
  }
  return value.trim();
}
function wholeNumber(env3, name, required2) {
  const raw = env3[name];
  if (raw === void 0 || raw.trim() === "") {
    if (required2) requiredString(env3, name);
    return void 0;
  }
  if (!/^\d+$/.test(raw.trim())) {
    throw new Error(`environment variable ${name} must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw.trim());
}
function settingsFromEnv(env3 = process.env) {
  const retentionSeconds = wholeNumber(env3, Envar.ONESHOT_RETENTION_SECONDS, false);
  const settings = {
    shardCount: wholeNumber(env3, Envar.SHARD_COUNT, true),
    periodSeconds: wholeNumber(env3, Envar.PERIOD_SECONDS, true),
    batchConcurrency: wholeNumber(env3, Envar.BATCH_CONCURRENCY, false),
    indexLagToleranceMs: wholeNumber(env3, Envar.INDEX_LAG_TOLERANCE_MS, false),
    createWithinMs: wholeNumber(env3, Envar.CREATE_WITHIN_MS, false),
    oneShotRetentionMs: retentionSeconds === void 0 ? void 0 : retentionSeconds * 1e3
  };
  return settings;
}
function engineConfigFromEnv(env3 = process.env) {
  const settings = settingsFromEnv(env3);
  try {
    return engineConfig(settings);
  } catch (err) {
    const names = {
      shardCount: Envar.SHARD_COUNT,
      periodSeconds: Envar.PERIOD_SECONDS,
      batchConcurrency: Envar.BATCH_CONCURRENCY,
      indexLagToleranceMs: Envar.INDEX_LAG_TOLERANCE_MS,
      createWithinMs: Envar.CREATE_WITHIN_MS
    };
    const message = err.message.replace(/^(\w+)/, (field) => names[field] ? `${names[field]} (${field})` : field);
    throw new Error(`invalid environment: ${message}`);
  }
}
var REQUEST_TIMEOUT_MS = 5e3;
var CONNECTION_TIMEOUT_MS = 2e3;
var SPARE_SOCKETS = 8;
function httpHandlerOptions(batchConcurrency) {
  const agent = { keepAlive: true, maxSockets: Math.max(50, batchConcurrency + SPARE_SOCKETS) };
  return {
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    httpsAgent: agent,
    httpAgent: agent
  };
}
var MAX_ATTEMPTS = { dynamodb: 3, sqs: 1, lambda: 1 };
function clientOptions(env3, batchConcurrency, maxAttempts) {
  const endpoint = env3.AWS_ENDPOINT_URL?.trim() || void 0;
  return { ...endpoint && { endpoint }, maxAttempts, requestHandler: httpHandlerOptions(batchConcurrency) };
}
function awsClientsFromEnv(env3 = process.env, batchConcurrency = engineConfigFromEnv(env3).batchConcurrency) {
  return {
    dynamodb: new import_client_dynamodb2.DynamoDBClient(clientOptions(env3, batchConcurrency, MAX_ATTEMPTS.dynamodb)),
    sqs: new import_client_sqs2.SQSClient(clientOptions(env3, batchConcurrency, MAX_ATTEMPTS.sqs))
  };
}
function lambdaClientFromEnv(env3 = process.env) {
  return new import_client_lambda.LambdaClient(clientOptions(env3, 0, MAX_ATTEMPTS.lambda));
}
function adaptersFromEnv(env3 = process.env, clients) {
  const config = engineConfigFromEnv(env3);
  const { dynamodb, sqs } = clients ?? awsClientsFromEnv(env3, config.batchConcurrency);
  return {
    config,
    store: new DynamoTimerStore({ client: dynamodb, tableName: requiredString(env3, Envar.TABLE_NAME) }),
    queue: new SqsFiringQueue({ client: sqs, queueUrl: requiredString(env3, Envar.QUEUE_URL) })
  };
}
function continueTickFromEnv(env3 = process.env, client) {
  const functionName = env3.AWS_LAMBDA_FUNCTION_NAME?.trim();
  if (!functionName) return void 0;
  let lambda = client;
  return async (event) => {
    lambda ??= lambdaClientFromEnv(env3);
    const out = await lambda.send(
      new import_client_lambda.InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: new TextEncoder().encode(JSON.stringify(event)) })
    );
    if (out.StatusCode !== 202) {
      throw new Error(`Lambda answered ${out.StatusCode} to the asynchronous invocation of ${functionName} (202 expected)`);
    }
  };
}

// src/aws/handlers.ts
function engineDeps(deps) {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? noMetrics;
  const log = deps.log ?? silentLog;
  const dispatcher = new Dispatcher({ queue: deps.queue, clock, concurrency: deps.config.batchConcurrency, metrics, log });
  return { store: deps.store, dispatcher, clock, metrics, log };
}
var SHARD_ID = /^shard(\d{1,3})$/;
function shardIdOf(event, shardCount) {
  const shardId = typeof event === "object" && event !== null ? event.shardId : void 0;
  const match = typeof shardId === "string" ? SHARD_ID.exec(shardId) : null;
  if (!match || Number(match[1]) >= shardCount || String(Number(match[1])) !== match[1]) {
    throw new Error(
      `the tick event must be {"shardId": "shard<n>"} with n from 0 to ${shardCount - 1}, got ${JSON.stringify(event)}; the construct's schedules send one such event per shard`
    );
  }
  return shardId;
}
function tickEventOf(event, shardCount) {
  const shardId = shardIdOf(event, shardCount);
  const { continueAs, hop, lateBefore } = event;
  if (continueAs !== void 0 && (typeof continueAs !== "string" || continueAs === "")) {
    throw new Error(`the tick event's "continueAs" must be the owner a tick handed its lease to, got ${JSON.stringify(continueAs)}`);
  }
  if (lateBefore !== void 0 && !Number.isSafeInteger(lateBefore)) {
    throw new Error(`the tick event's "lateBefore" must be epoch milliseconds, got ${JSON.stringify(lateBefore)}`);
  }
  return {
    shardId,
    ...continueAs !== void 0 && { continueAs },
    ...lateBefore !== void 0 && { lateBefore },
    ...typeof hop === "number" && Number.isInteger(hop) && hop >= 0 && { hop }
  };
}
function createTickHandler(deps) {
  const engine = engineDeps(deps);
  const { log, clock, store } = engine;
  const ticker = new Ticker(deps.config, engine);
  return async (event, context) => {
    try {
      const tickEvent = tickEventOf(event, deps.config.shardCount);
      const deadlineMs = context ? clock.now() + context.getRemainingTimeInMillis() : void 0;
      const report = await ticker.tick(tickEvent.shardId, {
        ...deadlineMs !== void 0 && { deadlineMs },
        ...tickEvent.continueAs !== void 0 && { continueAs: tickEvent.continueAs },
        ...tickEvent.lateBefore !== void 0 && { lateBefore: tickEvent.lateBefore }
      });
      log.info("tick done", { ...report, hop: tickEvent.hop ?? 0 });
      if (report.continuation) await handOver(deps, store, log, tickEvent, report.continuation);
      return report;
    } finally {
      deps.flush?.();
    }
  };
}
async function handOver(deps, store, log, event, { owner, lateBefore }) {
  const next = { shardId: event.shardId, continueAs: owner, hop: (event.hop ?? 0) + 1, lateBefore };
  if (deps.continueTick) {
    try {
      await deps.continueTick(next);
      return;
    } catch (err) {
      log.error("could not start the continuation of a tick; the next scheduled tick resumes its work", { ...next, error: String(err) });
    }
  }
  await store.releaseShard(event.shardId, owner);
}

// node_modules/@aws-lambda-powertools/logger/lib/esm/constants.js
var LogJsonIndent = {
  PRETTY: 4,
  COMPACT: 0
};
var LogLevelThreshold = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28
};
var ReservedKeys = [
  "level",
  "message",
  "sampling_rate",
  "service",
  "timestamp"
];
var UncaughtErrorLogMessage = "Uncaught error detected, flushing log buffer before exit";

// node_modules/@aws/lambda-invoke-store/dist-es/invoke-store.js
var PROTECTED_KEYS = {
  REQUEST_ID: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_REQUEST_ID"),
  X_RAY_TRACE_ID: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_X_RAY_TRACE_ID"),
  TENANT_ID: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_TENANT_ID"),
  TRACEPARENT: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_TRACEPARENT"),
  TRACESTATE: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_TRACESTATE"),
  BAGGAGE: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_BAGGAGE")
};
var NO_GLOBAL_AWS_LAMBDA = ["true", "1"].includes(process.env?.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA ?? "");
if (!NO_GLOBAL_AWS_LAMBDA) {
  globalThis.awslambda = globalThis.awslambda || {};
}
var InvokeStoreBase = class {
  static PROTECTED_KEYS = PROTECTED_KEYS;
  isProtectedKey(key) {
    return Object.values(PROTECTED_KEYS).includes(key);
  }
  getRequestId() {
    return this.get(PROTECTED_KEYS.REQUEST_ID) ?? "-";
  }
  getXRayTraceId() {
    return this.get(PROTECTED_KEYS.X_RAY_TRACE_ID);
  }
  getTenantId() {
    return this.get(PROTECTED_KEYS.TENANT_ID);
  }
  getTraceparent() {
    return this.get(PROTECTED_KEYS.TRACEPARENT);
  }
  getTracestate() {
    return this.get(PROTECTED_KEYS.TRACESTATE);
  }
  getBaggage() {
    return this.get(PROTECTED_KEYS.BAGGAGE);
  }
};
var InvokeStoreSingle = class extends InvokeStoreBase {
  currentContext;
  getContext() {
    return this.currentContext;
  }
  hasContext() {
    return this.currentContext !== void 0;
  }
  get(key) {
    return this.currentContext?.[key];
  }
  set(key, value) {
    if (this.isProtectedKey(key)) {
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    }
    this.currentContext = this.currentContext || {};
    this.currentContext[key] = value;
  }
  run(context, fn) {
    this.currentContext = context;
    return fn();
  }
};
var InvokeStoreMulti = class _InvokeStoreMulti extends InvokeStoreBase {
  als;
  static async create() {
    const instance = new _InvokeStoreMulti();
    const asyncHooks = await import("node:async_hooks");
    instance.als = new asyncHooks.AsyncLocalStorage();
    return instance;
  }
  getContext() {
    return this.als.getStore();
  }
  hasContext() {
    return this.als.getStore() !== void 0;
  }
  get(key) {
    return this.als.getStore()?.[key];
  }
  set(key, value) {
    if (this.isProtectedKey(key)) {
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    }
    const store = this.als.getStore();
    if (!store) {
      throw new Error("No context available");
    }
    store[key] = value;
  }
  run(context, fn) {
    return this.als.run(context, fn);
  }
};
var InvokeStore;
(function(InvokeStore2) {
  let instance = null;
  async function getInstanceAsync(forceInvokeStoreMulti) {
    if (!instance) {
      instance = (async () => {
        const isMulti = forceInvokeStoreMulti === true || "AWS_LAMBDA_MAX_CONCURRENCY" in process.env;
        const newInstance = isMulti ? await InvokeStoreMulti.create() : new InvokeStoreSingle();
        if (!NO_GLOBAL_AWS_LAMBDA && globalThis.awslambda?.InvokeStore) {
          return globalThis.awslambda.InvokeStore;
        } else if (!NO_GLOBAL_AWS_LAMBDA && globalThis.awslambda) {
          globalThis.awslambda.InvokeStore = newInstance;
          return newInstance;
        } else {
          return newInstance;
        }
      })();
    }
    return instance;
  }
  InvokeStore2.getInstanceAsync = getInstanceAsync;
  InvokeStore2._testing = process.env.AWS_LAMBDA_BENCHMARK_MODE === "1" ? {
    reset: () => {
      instance = null;
      if (globalThis.awslambda?.InvokeStore) {
        delete globalThis.awslambda.InvokeStore;
      }
      globalThis.awslambda = { InvokeStore: void 0 };
    }
  } : void 0;
})(InvokeStore || (InvokeStore = {}));

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/constants.js
var AWS_LAMBDA_INITIALIZATION_TYPE_ENV_VAR = "AWS_LAMBDA_INITIALIZATION_TYPE";
var AWS_LAMBDA_MAX_CONCURRENCY = "AWS_LAMBDA_MAX_CONCURRENCY";
var POWERTOOLS_DEV_ENV_VAR = "POWERTOOLS_DEV";
var XRAY_TRACE_ID_ENV_VAR = "_X_AMZN_TRACE_ID";

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/envUtils.js
var getStringFromEnv = ({ key, defaultValue, errorMessage }) => {
  const value = process.env[key];
  if (value === void 0) {
    if (defaultValue !== void 0) {
      return defaultValue;
    }
    if (errorMessage) {
      throw new Error(errorMessage);
    }
    throw new Error(`Environment variable ${key} is required`);
  }
  return value.trim();
};
var getNumberFromEnv = ({ key, defaultValue, errorMessage }) => {
  const value = getStringFromEnv({
    key,
    defaultValue: String(defaultValue),
    errorMessage
  });
  const parsedValue = Number(value);
  if (Number.isNaN(parsedValue)) {
    throw new TypeError(`Environment variable ${key} must be a number`);
  }
  return parsedValue;
};
var truthyValues = /* @__PURE__ */ new Set(["1", "y", "yes", "t", "true", "on"]);
var falsyValues = /* @__PURE__ */ new Set(["0", "n", "no", "f", "false", "off"]);
var getBooleanFromEnv = ({ key, defaultValue, errorMessage, extendedParsing }) => {
  const value = getStringFromEnv({
    key,
    defaultValue: String(defaultValue),
    errorMessage
  });
  const parsedValue = value.toLowerCase();
  if (extendedParsing) {
    if (truthyValues.has(parsedValue)) {
      return true;
    }
    if (falsyValues.has(parsedValue)) {
      return false;
    }
  }
  if (parsedValue !== "true" && parsedValue !== "false") {
    throw new Error(`Environment variable ${key} must be a boolean`);
  }
  return parsedValue === "true";
};
var isDevMode = () => {
  try {
    return getBooleanFromEnv({
      key: POWERTOOLS_DEV_ENV_VAR,
      extendedParsing: true
    });
  } catch {
    return false;
  }
};
var getXrayTraceDataFromEnv = () => {
  const xRayTraceEnv = globalThis.awslambda?.InvokeStore?.getXRayTraceId() ?? getStringFromEnv({
    key: XRAY_TRACE_ID_ENV_VAR,
    defaultValue: ""
  });
  if (xRayTraceEnv === "") {
    return void 0;
  }
  if (!xRayTraceEnv.includes("=")) {
    return {
      Root: xRayTraceEnv
    };
  }
  const xRayTraceData = {};
  for (const field of xRayTraceEnv.split(";")) {
    const [key, value] = field.split("=");
    xRayTraceData[key] = value;
  }
  return xRayTraceData;
};
var shouldUseInvokeStore = () => {
  const res = getStringFromEnv({
    key: AWS_LAMBDA_MAX_CONCURRENCY,
    defaultValue: ""
  });
  return res !== "";
};
var getXRayTraceIdFromEnv = () => {
  const xRayTraceData = getXrayTraceDataFromEnv();
  return xRayTraceData?.Root;
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/formatter/LogFormatter.js
var LogFormatter = class {
  /**
   * Whether a warning about an unresolvable timezone has already been emitted,
   * used to avoid logging the same warning on every formatted log entry.
   */
  #timezoneWarningEmitted = false;
  /**
   * Format an error into a loggable object.
   *
   * @example
   * ```json
   * {
   *   "name": "Error",
   *   "location": "file.js:1",
   *   "message": "An error occurred",
   *   "stack": "Error: An error occurred\n    at file.js:1\n    at file.js:2\n    at file.js:3",
   *   "cause": {
   *     "name": "OtherError",
   *     "location": "file.js:2",
   *     "message": "Another error occurred",
   *     "stack": "Error: Another error occurred\n    at file.js:2\n    at file.js:3\n    at file.js:4"
   *   }
   * }
   * ```
   *
   * @param error - Error to format
   */
  formatError(error) {
    const { name, message, stack, cause, ...errorAttributes } = error;
    const formattedError = {
      name,
      location: this.getCodeLocation(error.stack),
      message,
      stack: isDevMode() && typeof stack === "string" ? stack?.split("\n") : stack,
      cause: cause instanceof Error ? this.formatError(cause) : cause
    };
    for (const key in error) {
      if (typeof key === "string" && !["name", "message", "stack", "cause"].includes(key)) {
        formattedError[key] = errorAttributes[key];
      }
    }
    return formattedError;
  }
  /**
   * Format a date into an ISO 8601 string with the configured timezone.
   *
   * The timezone is read from the `TZ` environment variable, if present.
   * Otherwise, the timezone defaults to ':UTC'.
   *
   * @param now - The date to format
   */
  formatTimestamp(now) {
    const defaultTimezone = "UTC";
    const configuredTimezone = getStringFromEnv({
      key: "TZ",
      defaultValue: ""
    });
    if (configuredTimezone && !configuredTimezone.includes(defaultTimezone))
      return this.#generateISOTimestampWithOffset(now, configuredTimezone);
    return now.toISOString();
  }
  /**
   * Get the location of an error from a stack trace.
   *
   * @param stack - stack trace to parse
   */
  getCodeLocation(stack) {
    if (!stack) {
      return "";
    }
    const stackLines = stack.split("\n");
    const regex = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/;
    for (const item of stackLines) {
      const match = regex.exec(item);
      if (Array.isArray(match)) {
        return `${match[1]}:${Number(match[2])}`;
      }
    }
    return "";
  }
  /**
   * Resolve the time zone to use for formatting timestamps.
   *
   * Validation is delegated to `Intl.DateTimeFormat` itself, so both canonical
   * identifiers (e.g. `Asia/Calcutta`) and their aliases (e.g. `Asia/Kolkata`)
   * are accepted.
   *
   * If the provided time zone cannot be resolved - e.g. `TZ` is set to
   * `:/etc/localtime` in certain Docker images - we fall back to UTC and emit
   * a one-time warning.
   *
   * @param timezone - IANA time zone identifier (e.g., "Asia/Dhaka").
   */
  #resolveTimezone = (timezone) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: timezone });
      return timezone;
    } catch {
      if (!this.#timezoneWarningEmitted) {
        this.#timezoneWarningEmitted = true;
        console.warn(`Invalid or unresolvable time zone: "${timezone}" - falling back to UTC.`);
      }
      return "UTC";
    }
  };
  /**
   * Create a new Intl.DateTimeFormat object configured with the specified time zone
   * and formatting options.
   *
   * The time is displayed in 24-hour format (hour12: false).
   *
   * @param timezone - resolvable IANA time zone identifier (e.g., "Asia/Dhaka").
   */
  #getDateFormatter = (timezone) => {
    const twoDigitFormatOption = "2-digit";
    return new Intl.DateTimeFormat("en", {
      hourCycle: "h23",
      year: "numeric",
      month: twoDigitFormatOption,
      day: twoDigitFormatOption,
      hour: twoDigitFormatOption,
      minute: twoDigitFormatOption,
      second: twoDigitFormatOption,
      timeZone: timezone
    });
  };
  /**
   * Generate an ISO 8601 timestamp string with the specified time zone and the local time zone offset.
   *
   * If the time zone cannot be resolved, both the date/time digits and the offset
   * fall back to UTC so that the emitted timestamp always denotes the correct instant.
   *
   * @param date - date to format
   * @param timezone - IANA time zone identifier (e.g., "Asia/Dhaka").
   */
  #generateISOTimestampWithOffset(date, timezone) {
    const resolvedTimezone = this.#resolveTimezone(timezone);
    const { year, month, day, hour, minute, second } = this.#getDateFormatter(resolvedTimezone).formatToParts(date).reduce((acc, item) => {
      acc[item.type] = item.value;
      return acc;
    }, {});
    const datePart = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    const offset = resolvedTimezone === timezone ? -date.getTimezoneOffset() : 0;
    const offsetSign = offset >= 0 ? "+" : "-";
    const offsetHours = Math.abs(Math.floor(offset / 60)).toString().padStart(2, "0");
    const offsetMinutes = Math.abs(offset % 60).toString().padStart(2, "0");
    const millisecondPart = date.getMilliseconds().toString().padStart(3, "0");
    const offsetPart = `${offsetSign}${offsetHours}:${offsetMinutes}`;
    return `${datePart}.${millisecondPart}${offsetPart}`;
  }
};

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/version.js
var PT_VERSION = "2.36.0";

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/awsSdkUtils.js
var EXEC_ENV = process.env.AWS_EXECUTION_ENV || "NA";

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/deepMerge.js
var UNSAFE_KEYS = /* @__PURE__ */ new Set(["__proto__", "constructor"]);
var isPlainObject = (value) => {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
var cloneItem = (srcItem, ancestors) => {
  if (isPlainObject(srcItem)) {
    const cloned = {};
    ancestors.push(srcItem);
    mergeRecursive(cloned, srcItem, ancestors);
    ancestors.pop();
    return { skip: false, value: cloned };
  }
  if (Array.isArray(srcItem)) {
    if (ancestors.includes(srcItem))
      return { skip: true };
    const cloned = [];
    ancestors.push(srcItem);
    mergeArrayItemsByIndex(cloned, srcItem, ancestors);
    ancestors.pop();
    return { skip: false, value: cloned };
  }
  return { skip: false, value: srcItem };
};
var mergeArrayItem = (targetArray, index, srcItem, ancestors) => {
  const tgtItem = targetArray[index];
  const isSrcPlainObject = isPlainObject(srcItem);
  if (isSrcPlainObject && ancestors.includes(srcItem))
    return;
  if (isSrcPlainObject && isPlainObject(tgtItem)) {
    ancestors.push(srcItem);
    mergeRecursive(tgtItem, srcItem, ancestors);
    ancestors.pop();
    return;
  }
  if (Array.isArray(srcItem) && Array.isArray(tgtItem)) {
    if (!ancestors.includes(srcItem)) {
      ancestors.push(srcItem);
      mergeArrayItemsByIndex(tgtItem, srcItem, ancestors);
      ancestors.pop();
    }
    return;
  }
  if (srcItem !== void 0 || tgtItem === void 0) {
    const result = cloneItem(srcItem, ancestors);
    if (!result.skip) {
      targetArray[index] = result.value;
    }
  }
};
var mergeArrayItemsByIndex = (targetArray, sourceArray, ancestors) => {
  for (let i = 0; i < sourceArray.length; i++) {
    mergeArrayItem(targetArray, i, sourceArray[i], ancestors);
  }
};
var handleArrayMerge = (target, key, sourceArray, targetValue, ancestors) => {
  if (!Array.isArray(targetValue)) {
    const freshArray = [];
    mergeArrayItemsByIndex(freshArray, sourceArray, ancestors);
    target[key] = freshArray;
    return;
  }
  mergeArrayItemsByIndex(targetValue, sourceArray, ancestors);
};
var handleObjectMerge = (target, key, sourceObject, targetValue, ancestors) => {
  if (isPlainObject(targetValue)) {
    mergeRecursive(targetValue, sourceObject, ancestors);
    return;
  }
  const newTarget = {};
  mergeRecursive(newTarget, sourceObject, ancestors);
  target[key] = newTarget;
};
var mergeRecursive = (target, source, ancestors) => {
  for (const key of Object.keys(source)) {
    if (UNSAFE_KEYS.has(key)) {
      continue;
    }
    const sourceValue = source[key];
    const targetValue = target[key];
    if (Array.isArray(sourceValue)) {
      if (ancestors.includes(sourceValue))
        continue;
      ancestors.push(sourceValue);
      handleArrayMerge(target, key, sourceValue, targetValue, ancestors);
      ancestors.pop();
      continue;
    }
    if (isPlainObject(sourceValue)) {
      if (ancestors.includes(sourceValue))
        continue;
      ancestors.push(sourceValue);
      handleObjectMerge(target, key, sourceValue, targetValue, ancestors);
      ancestors.pop();
      continue;
    }
    if (sourceValue !== void 0 || targetValue === void 0) {
      target[key] = sourceValue;
    }
  }
};
var deepMerge = (target, ...sources) => {
  const ancestors = [target];
  for (const source of sources) {
    if (source != null) {
      ancestors.push(source);
      mergeRecursive(target, source, ancestors);
      ancestors.pop();
    }
  }
  return target;
};

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/middleware/constants.js
var PREFIX = "powertools-for-aws";
var TRACER_KEY = `${PREFIX}.tracer`;
var METRICS_KEY = `${PREFIX}.metrics`;
var LOGGER_KEY = `${PREFIX}.logger`;
var IDEMPOTENCY_KEY = `${PREFIX}.idempotency`;

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/typeUtils.js
var isString = (value) => {
  return typeof value === "string";
};
var isNull = (value) => {
  return Object.is(value, null);
};
var isNullOrUndefined = (value) => {
  return isNull(value) || Object.is(value, void 0);
};

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/Utility.js
var Utility = class {
  #initializationType;
  coldStart = true;
  defaultServiceName = "service_undefined";
  constructor() {
    this.#initializationType = this.getInitializationType();
    if (this.#initializationType !== "on-demand") {
      this.coldStart = false;
    }
  }
  /**
   * Get the value of the `AWS_LAMBDA_INITIALIZATION_TYPE` environment variable.
   */
  getInitializationType() {
    const envVarValue = process.env[AWS_LAMBDA_INITIALIZATION_TYPE_ENV_VAR]?.trim();
    if (envVarValue === "on-demand") {
      return "on-demand";
    }
    if (envVarValue === "provisioned-concurrency") {
      return "provisioned-concurrency";
    }
    return "unknown";
  }
  /**
   * Get the cold start status of the current execution environment.
   *
   * The method also flips the cold start status to `false` after the first invocation.
   */
  getColdStart() {
    if (this.#initializationType !== "on-demand") {
      return false;
    }
    if (this.coldStart) {
      this.coldStart = false;
      return true;
    }
    return false;
  }
  /**
   * Validate that the service name provided is valid.
   * Used internally during initialization.
   *
   * @param serviceName Service name to validate
   */
  isValidServiceName(serviceName) {
    return typeof serviceName === "string" && serviceName.trim().length > 0;
  }
};

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/index.js
var env = process.env.AWS_EXECUTION_ENV || "NA";
if (!process.env.AWS_SDK_UA_APP_ID?.includes("/PTEnv/")) {
  const ptUserAgent = `PT/NO-OP/${PT_VERSION}/PTEnv/${env}`;
  process.env.AWS_SDK_UA_APP_ID = process.env.AWS_SDK_UA_APP_ID ? `${process.env.AWS_SDK_UA_APP_ID}/${ptUserAgent}` : ptUserAgent;
}

// node_modules/@aws-lambda-powertools/logger/lib/esm/formatter/LogItem.js
var LogItem = class {
  /**
   * The attributes of the log item.
   */
  attributes = {};
  /**
   * Constructor for LogItem.
   *
   * Attributes are added in the following order:
   * - Standard keys provided by the logger (e.g. `message`, `level`, `timestamp`)
   * - Persistent attributes provided by developer, not formatted (done later)
   * - Ephemeral attributes provided as parameters for a single log item (done later)
   *
   * @param params - The parameters for the LogItem.
   */
  constructor(params) {
    this.setAttributes(params.attributes);
  }
  /**
   * Add attributes to the log item.
   *
   * @param attributes - The attributes to add to the log item.
   */
  addAttributes(attributes) {
    deepMerge(this.attributes, attributes);
    return this;
  }
  /**
   * Get the attributes of the log item.
   */
  getAttributes() {
    return this.attributes;
  }
  /**
   * Prepare the log item for printing.
   *
   * This operation removes empty keys from the log item, see {@link removeEmptyKeys | removeEmptyKeys()} for more information.
   */
  prepareForPrint() {
    this.attributes = this.removeEmptyKeys(this.getAttributes());
  }
  /**
   * Remove empty keys from the log item, where empty keys are defined as keys with
   * values of `undefined`, empty strings (`''`), or `null`.
   *
   * @param attributes - The attributes to remove empty keys from.
   */
  removeEmptyKeys(attributes) {
    const newAttributes = {};
    for (const key in attributes) {
      if (attributes[key] !== void 0 && attributes[key] !== "" && attributes[key] !== null) {
        newAttributes[key] = attributes[key];
      }
    }
    return newAttributes;
  }
  /**
   * Replace the attributes of the log item.
   *
   * @param attributes - The attributes to set for the log item.
   */
  setAttributes(attributes) {
    this.attributes = attributes;
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js
var import_node_console = require("node:console");
var import_node_crypto = require("node:crypto");

// node_modules/@aws-lambda-powertools/logger/lib/esm/formatter/PowertoolsLogFormatter.js
var PowertoolsLogFormatter = class extends LogFormatter {
  /**
   * List of keys to order log attributes by.
   *
   * This can be a set of keys or an array of keys.
   */
  #logRecordOrder;
  constructor(options) {
    super();
    this.#logRecordOrder = options?.logRecordOrder;
  }
  /**
   * It formats key-value pairs of log attributes.
   *
   * @param {UnformattedAttributes} attributes - unformatted attributes
   * @param {LogAttributes} additionalLogAttributes - additional log attributes
   */
  formatAttributes(attributes, additionalLogAttributes) {
    const baseAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
      tenant_id: attributes.lambdaContext?.tenantId
    };
    if (this.#logRecordOrder === void 0) {
      return new LogItem({ attributes: baseAttributes }).addAttributes(additionalLogAttributes);
    }
    const orderedAttributes = {};
    for (const key of this.#logRecordOrder) {
      if (key in baseAttributes && !(key in orderedAttributes)) {
        orderedAttributes[key] = baseAttributes[key];
      } else if (key in additionalLogAttributes && !(key in orderedAttributes)) {
        orderedAttributes[key] = additionalLogAttributes[key];
      }
    }
    for (const key in baseAttributes) {
      if (!(key in orderedAttributes)) {
        orderedAttributes[key] = baseAttributes[key];
      }
    }
    for (const key in additionalLogAttributes) {
      if (!(key in orderedAttributes)) {
        orderedAttributes[key] = additionalLogAttributes[key];
      }
    }
    const powertoolsLogItem = new LogItem({
      attributes: orderedAttributes
    });
    return powertoolsLogItem;
  }
};

// node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/InvocationScoped.js
var InvocationScoped = class {
  /**
   * Key the boxed value is stored under in the InvokeStore, unique to this
   * instance.
   */
  #key;
  /**
   * Creates the value, either by calling the `fresh` factory or by handing back
   * the `initial` value.
   */
  #createValue;
  /**
   * Whether each invocation gets its own value created for it (`fresh`) instead
   * of falling back to the shared one (`initial`).
   */
  #createsPerInvocation;
  /**
   * The value shared across invocations, boxed like the invocation-scoped one.
   */
  #sharedValue;
  /**
   * @param name - Description of the value, used for the storage key, e.g. `powertools.logger.logLevel`
   * @param {Object} options - Options to create the value
   * @param options.initial - Value shared across invocations until one sets its own
   * @param options.fresh - Creates the value, called once per invocation on first access, and once for the shared value
   */
  constructor(name, options) {
    this.#key = Symbol(name);
    if ("fresh" in options) {
      this.#createValue = options.fresh;
      this.#createsPerInvocation = true;
    } else {
      const { initial } = options;
      this.#createValue = () => initial;
      this.#createsPerInvocation = false;
    }
  }
  /**
   * Whether reads and writes are currently scoped to a single invocation.
   */
  get isScoped() {
    return this.#getScopedStore() !== void 0;
  }
  /**
   * Gets the invocation-scoped value when there is one, otherwise the shared
   * value.
   *
   * A `fresh` value is created on first access, and the same one is handed back
   * for the rest of the invocation.
   */
  get() {
    const store = this.#getScopedStore();
    if (store === void 0) {
      return this.getShared();
    }
    const scopedValue = store.get(this.#key);
    if (scopedValue !== void 0) {
      return scopedValue[0];
    }
    if (!this.#createsPerInvocation) {
      return this.getShared();
    }
    const freshValue = this.#createValue();
    store.set(this.#key, [freshValue]);
    return freshValue;
  }
  /**
   * Sets the value for the current invocation, or the shared value when no
   * invocation context is active, i.e. during initialization.
   *
   * `undefined` is a value like any other: it shadows the shared value until
   * {@link InvocationScoped.reset | `reset()`} discards it.
   *
   * @param value - The value to store
   */
  set(value) {
    const store = this.#getScopedStore();
    if (store === void 0) {
      this.setShared(value);
      return;
    }
    store.set(this.#key, [value]);
  }
  /**
   * Discards the value, so that a `fresh` one is created on the next access and
   * an `initial` one goes back to the shared value.
   *
   * Outside an invocation context the shared value is discarded instead, which
   * puts an `initial` value back to the one given at construction.
   */
  reset() {
    const store = this.#getScopedStore();
    if (store === void 0) {
      this.#sharedValue = void 0;
      return;
    }
    store.set(this.#key, void 0);
  }
  /**
   * Gets the value shared across invocations, ignoring any invocation context.
   *
   * It is created on first access, whether from here or from
   * {@link InvocationScoped.get | `get()`}.
   */
  getShared() {
    this.#sharedValue ??= [this.#createValue()];
    return this.#sharedValue[0];
  }
  /**
   * Sets the value shared across invocations, ignoring any invocation context.
   *
   * @param value - The value to store
   */
  setShared(value) {
    this.#sharedValue = [value];
  }
  /**
   * Gets the InvokeStore when reads and writes should be scoped to the current
   * invocation, or `undefined` when they should go to the shared value.
   */
  #getScopedStore() {
    if (!shouldUseInvokeStore()) {
      return void 0;
    }
    const store = globalThis.awslambda?.InvokeStore;
    if (store === void 0) {
      throw new Error("InvokeStore is not available");
    }
    return store.hasContext() ? store : void 0;
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/LogAttributesStore.js
var LogAttributesStore = class {
  #temporaryAttributes = new InvocationScoped("powertools.logger.temporaryAttributes", { fresh: () => ({}) });
  #keys = new InvocationScoped("powertools.logger.keys", { fresh: () => /* @__PURE__ */ new Map() });
  #lambdaContext = new InvocationScoped("powertools.logger.lambdaContext", { initial: void 0 });
  #persistentAttributes = {};
  #getTemporaryAttributes() {
    return this.#temporaryAttributes.get();
  }
  #getKeys() {
    return this.#keys.get();
  }
  appendTemporaryKeys(attributes) {
    const tempAttrs = this.#getTemporaryAttributes();
    deepMerge(tempAttrs, attributes);
    const keysMap = this.#getKeys();
    for (const key of Object.keys(attributes)) {
      keysMap.set(key, "temp");
    }
  }
  removeTemporaryKeys(keys) {
    const tempAttrs = this.#getTemporaryAttributes();
    const keysMap = this.#getKeys();
    for (const key of keys) {
      tempAttrs[key] = void 0;
      if (this.#persistentAttributes[key]) {
        keysMap.set(key, "persistent");
      } else {
        keysMap.delete(key);
      }
    }
  }
  getTemporaryAttributes() {
    return { ...this.#getTemporaryAttributes() };
  }
  clearTemporaryAttributes() {
    const tempAttrs = this.#getTemporaryAttributes();
    const keysMap = this.#getKeys();
    for (const key of Object.keys(tempAttrs)) {
      if (this.#persistentAttributes[key]) {
        keysMap.set(key, "persistent");
      } else {
        keysMap.delete(key);
      }
    }
    this.#temporaryAttributes.reset();
  }
  setLambdaContext(context) {
    this.#lambdaContext.set(context);
  }
  getLambdaContext() {
    return this.#lambdaContext.get();
  }
  setPersistentAttributes(attributes) {
    const keysMap = this.#getKeys();
    this.#persistentAttributes = { ...attributes };
    for (const key of Object.keys(attributes)) {
      keysMap.set(key, "persistent");
    }
  }
  getPersistentAttributes() {
    return { ...this.#persistentAttributes };
  }
  getAllAttributes() {
    const result = {};
    const tempAttrs = this.#getTemporaryAttributes();
    const keysMap = this.#getKeys();
    for (const [key, value] of Object.entries(this.#persistentAttributes)) {
      if (value !== void 0) {
        result[key] = value;
      }
    }
    for (const [key, type] of keysMap.entries()) {
      if (type === "temp" && tempAttrs[key] !== void 0) {
        result[key] = tempAttrs[key];
      }
    }
    return result;
  }
  removePersistentKeys(keys) {
    const keysMap = this.#getKeys();
    const tempAttrs = this.#getTemporaryAttributes();
    for (const key of keys) {
      this.#persistentAttributes[key] = void 0;
      if (tempAttrs[key]) {
        keysMap.set(key, "temp");
      } else {
        keysMap.delete(key);
      }
    }
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/logBuffer.js
var SizedItem = class {
  value;
  logLevel;
  byteSize;
  constructor(value, logLevel) {
    if (!isString(value)) {
      throw new Error("Value should be a string");
    }
    this.value = value;
    this.logLevel = logLevel;
    this.byteSize = Buffer.byteLength(value);
  }
};
var SizedSet = class extends Set {
  currentBytesSize = 0;
  hasEvictedLog = false;
  /**
   * Adds an item to the set and updates the current byte size.
   *
   * @param item - The item to add
   */
  add(item) {
    this.currentBytesSize += item.byteSize;
    super.add(item);
    return this;
  }
  /**
   * Deletes an item from the set and updates the current byte size.
   *
   * @param item - The item to delete
   */
  delete(item) {
    const wasDeleted = super.delete(item);
    if (wasDeleted) {
      this.currentBytesSize -= item.byteSize;
    }
    return wasDeleted;
  }
  /**
   * Clears all items from the set and resets the current byte size.
   */
  clear() {
    super.clear();
    this.currentBytesSize = 0;
  }
  /**
   * Removes the first item from the set and returns it.
   */
  shift() {
    const firstElement = this.values().next().value;
    if (firstElement) {
      this.delete(firstElement);
    }
    return firstElement;
  }
};
var CircularMap = class extends Map {
  #maxBytesSize;
  #onBufferOverflow;
  constructor({ maxBytesSize, onBufferOverflow }) {
    super();
    this.#maxBytesSize = maxBytesSize;
    this.#onBufferOverflow = onBufferOverflow;
  }
  /**
   * Adds an item to the buffer, evicting older items if necessary.
   *
   * @param key - The key to associate with the item
   * @param value - The item to add
   * @param logLevel - The log level of the item
   */
  setItem(key, value, logLevel) {
    const item = new SizedItem(value, logLevel);
    if (item.byteSize > this.#maxBytesSize) {
      throw new Error("Item too big");
    }
    const buffer = this.get(key) || new SizedSet();
    if (buffer.currentBytesSize !== 0 && buffer.currentBytesSize + item.byteSize >= this.#maxBytesSize) {
      this.#deleteFromBufferUntilSizeIsLessThanMax(buffer, item);
      if (this.#onBufferOverflow) {
        this.#onBufferOverflow();
      }
    }
    buffer.add(item);
    super.set(key, buffer);
    return this;
  }
  /**
   * Deletes an item from the buffer.
   *
   * @param key - The key associated with the item
   * @param value - The item to delete
   */
  #deleteFromBufferUntilSizeIsLessThanMax(buffer, item) {
    while (buffer.size !== 0 && buffer.currentBytesSize + item.byteSize >= this.#maxBytesSize) {
      buffer.shift();
      buffer.hasEvictedLog = true;
    }
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/LogInvocationStore.js
var LogInvocationStore = class {
  #logLevel;
  #buffer = new InvocationScoped("powertools.logger.buffer", { fresh: () => new CircularMap({ maxBytesSize: this.#maxBytes }) });
  #maxBytes;
  constructor(logLevel) {
    this.#logLevel = new InvocationScoped("powertools.logger.logLevel", {
      initial: logLevel
    });
  }
  /**
   * Get the log level in effect: the per-invocation level when one has been
   * set, otherwise the base level.
   */
  getLogLevel() {
    return this.#logLevel.get();
  }
  /**
   * Get the base log level shared across invocations, without consulting the
   * InvokeStore.
   */
  getBaseLogLevel() {
    return this.#logLevel.getShared();
  }
  /**
   * Set the log level, scoping it to the current invocation when concurrency
   * is enabled and an invocation context is active. Outside an invocation
   * context (e.g. during initialization) the base level is set instead.
   */
  setLogLevel(logLevel) {
    this.#logLevel.set(logLevel);
  }
  /**
   * Set the base log level shared across invocations, regardless of any active
   * invocation context. Used at initialization and for Advanced Logging
   * Controls, which apply environment-wide.
   */
  setBaseLogLevel(logLevel) {
    this.#logLevel.setShared(logLevel);
  }
  /**
   * Enable the log buffer with the given max byte size per trace id.
   *
   * Must be called before any buffer operation; the buffer methods are only
   * reached when buffering is enabled.
   *
   * @param maxBytes - Max byte size of each trace id's buffer
   */
  configureBuffer(maxBytes) {
    this.#maxBytes = maxBytes;
    this.#buffer.setShared(new CircularMap({ maxBytesSize: maxBytes }));
  }
  #getBuffer() {
    return this.#buffer.get();
  }
  /**
   * Add a log to the buffer for the given trace id.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   * @param value - The serialized log to be buffered
   * @param logLevel - The level of the log to be buffered
   */
  add(traceId, value, logLevel) {
    const buffer = this.#getBuffer();
    if (!this.#buffer.isScoped && buffer.has(traceId) === false) {
      buffer.clear();
    }
    buffer.setItem(traceId, value, logLevel);
  }
  /**
   * Get the buffered logs for the given trace id, if any.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   */
  get(traceId) {
    return this.#getBuffer().get(traceId);
  }
  /**
   * Empty the buffer for the given trace id.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   */
  delete(traceId) {
    this.#getBuffer().delete(traceId);
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js
var Logger = class _Logger extends Utility {
  /**
   * Console instance used to print logs.
   *
   * In AWS Lambda, we create a new instance of the Console class so that we can have
   * full control over the output of the logs. In testing environments, we use the
   * default console instance.
   *
   * This property is initialized in the constructor in `setOptions()`.
   */
  console;
  /**
   * Custom config service instance used to configure the logger.
   */
  customConfigService;
  /**
   * Whether to print the Lambda invocation event in the logs.
   */
  logEvent = false;
  /**
   * Formatter used to format the log items.
   * @default new PowertoolsLogFormatter()
   */
  logFormatter;
  /**
   * JSON indentation used to format the logs.
   */
  logIndentation = LogJsonIndent.COMPACT;
  /**
   * Advanced Logging Control Log Level
   * If not a valid value this will be left undefined, even if the
   * environment variable AWS_LAMBDA_LOG_LEVEL is set
   */
  #alcLogLevel;
  /**
   * Standard attributes managed by Powertools that will be logged in all log items.
   */
  powertoolsLogData = {
    sampleRateValue: 0
  };
  /**
   * Store for managing temporary and persistent log attributes.
   */
  #attributesStore = new LogAttributesStore();
  /**
   * Buffer used to store logs until the logger is initialized.
   *
   * Sometimes we need to log warnings before the logger is fully initialized, however we can't log them
   * immediately because the logger is not ready yet. This buffer stores those logs until the logger is ready.
   */
  #initBuffer = [];
  /**
   * Flag used to determine if the logger is initialized.
   */
  #isInitialized = false;
  /**
   * This is the initial log leval as set during the initialization of the logger.
   *
   * We keep this value to be able to reset the log level to the initial value when the sample rate is refreshed.
   */
  #initialLogLevel = LogLevelThreshold.INFO;
  /**
   * Replacer function used to serialize the log items.
   */
  #jsonReplacerFn;
  /**
   * Buffer configuration options.
   */
  #bufferConfig = {
    enabled: false,
    flushOnErrorLog: true,
    maxBytes: 20480,
    bufferAtVerbosity: LogLevelThreshold.DEBUG
  };
  /**
   * Store for per-invocation log state: the effective log level and, once
   * buffering is enabled, the buffered logs grouped by `_X_AMZN_TRACE_ID`.
   *
   * Scopes the state to each invocation via the InvokeStore when invocations
   * run concurrently, and falls back to instance-level state shared across
   * sequential invocations.
   */
  #invocationStore = new LogInvocationStore(LogLevelThreshold.INFO);
  /**
   * Search function for the correlation ID.
   */
  #correlationIdSearchFn;
  /**
   * The debug sampling rate configuration.
   */
  #debugLogSampling = {
    /**
     * The sampling rate value used to determine if the log level should be set to DEBUG.
     */
    sampleRateValue: 0,
    /**
     * The number of times the debug sampling rate has been refreshed.
     *
     * We use this to determine if we should refresh it again.
     */
    refreshedTimes: 0
  };
  /**
   * Map used to store the warning messages that have already been logged.
   */
  #warnOnceMap = /* @__PURE__ */ new Map();
  /**
   * Log level used by the current instance of Logger.
   *
   * Returns the log level as a number. The higher the number, the less verbose the logs.
   * To get the log level name, use the {@link getLevelName()} method.
   */
  get level() {
    return this.#invocationStore.getLogLevel();
  }
  constructor(options = {}) {
    super();
    const { customConfigService, ...rest } = options;
    this.customConfigService = customConfigService;
    this.setOptions(rest);
    this.#isInitialized = true;
    for (const [level, log] of this.#initBuffer) {
      this.printLog(level, this.createAndPopulateLogItem(...log));
    }
    this.#initBuffer = [];
  }
  /**
   * Add the current Lambda function's invocation context data to the powertoolLogData property of the instance.
   * This context data will be part of all printed log items.
   *
   * The implementation signature also accepts the stored {@link LambdaFunctionContext} subset so that
   * {@link Logger.createChild | `createChild()`} can propagate the parent's context without unsafe casts.
   * The public contract ({@link LoggerInterface.addContext}) remains `Context`.
   *
   * @param context - The Lambda function's invocation context.
   */
  addContext(context) {
    this.#attributesStore.setLambdaContext({
      invokedFunctionArn: context.invokedFunctionArn,
      coldStart: this.getColdStart(),
      awsRequestId: context.awsRequestId,
      memoryLimitInMB: context.memoryLimitInMB,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      tenantId: context.tenantId
    });
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions, please use {@link appendPersistentKeys() `appendPersistentKeys()`} instead.
   */
  addPersistentLogAttributes(attributes) {
    this.appendPersistentKeys(attributes);
  }
  /**
   * Add the given temporary attributes (key-value pairs) to all log items generated by this Logger instance.
   *
   * If the key already exists in the attributes, it will be overwritten. If the key is one of `level`, `message`, `sampling_rate`,
   * `service`, or `timestamp` we will log a warning and drop the value.
   *
   * @param attributes - The attributes to add to all log items.
   */
  appendKeys(attributes) {
    this.#appendKeys(attributes, "temp");
  }
  /**
   * Add the given persistent attributes (key-value pairs) to all log items generated by this Logger instance.
   *
   * If the key already exists in the attributes, it will be overwritten. If the key is one of `level`, `message`, `sampling_rate`,
   * `service`, or `timestamp` we will log a warning and drop the value.
   *
   * @param attributes - The attributes to add to all log items.
   */
  appendPersistentKeys(attributes) {
    this.#appendKeys(attributes, "persistent");
  }
  /**
   * Create a separate Logger instance, identical to the current one.
   * It's possible to overwrite the new instance options by passing them.
   *
   * @param options - The options to initialize the child logger with.
   */
  createChild(options = {}) {
    const persistentKeyName = "persistentLogAttributes" in options && !("persistentKeys" in options) ? "persistentLogAttributes" : "persistentKeys";
    const childLogger = this.createLogger(
      // Merge parent logger options with options passed to createChild,
      // the latter having precedence.
      deepMerge({}, {
        logLevel: this.getLevelName(),
        serviceName: this.powertoolsLogData.serviceName,
        sampleRateValue: this.#debugLogSampling.sampleRateValue,
        logFormatter: this.getLogFormatter(),
        customConfigService: this.getCustomConfigService(),
        environment: this.powertoolsLogData.environment,
        [persistentKeyName]: this.#attributesStore.getPersistentAttributes(),
        jsonReplacerFn: this.#jsonReplacerFn,
        correlationIdSearchFn: this.#correlationIdSearchFn,
        ...this.#bufferConfig.enabled && {
          logBufferOptions: {
            maxBytes: this.#bufferConfig.maxBytes,
            bufferAtVerbosity: this.getLogLevelNameFromNumber(this.#bufferConfig.bufferAtVerbosity),
            flushOnErrorLog: this.#bufferConfig.flushOnErrorLog
          }
        }
      }, options)
    );
    const lambdaContext = this.#attributesStore.getLambdaContext();
    if (lambdaContext)
      childLogger.addContext(lambdaContext);
    const temporaryAttributes = this.#attributesStore.getTemporaryAttributes();
    if (Object.keys(temporaryAttributes).length > 0) {
      childLogger.appendKeys(temporaryAttributes);
    }
    return childLogger;
  }
  /**
   * Print a log item with level CRITICAL.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  critical(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.CRITICAL, input, extraInput);
  }
  /**
   * Print a log item with level DEBUG.
   *
   * @param input
   * @param extraInput - The extra input to log.
   */
  debug(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.DEBUG, input, extraInput);
  }
  /**
   * Print a log item with level ERROR.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  error(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.ERROR, input, extraInput);
  }
  /**
   * Get the log level name of the current instance of Logger.
   *
   * Returns the log level name, i.e. `INFO`, `DEBUG`, etc.
   * To get the log level as a number, use the {@link Logger.level} property.
   */
  getLevelName() {
    return this.getLogLevelNameFromNumber(this.#invocationStore.getLogLevel());
  }
  /**
   * Return a boolean value. True means that the Lambda invocation events
   * are printed in the logs.
   */
  getLogEvent() {
    return this.logEvent;
  }
  /**
   * Return the persistent log attributes, which are the attributes
   * that will be logged in all log items.
   */
  getPersistentLogAttributes() {
    return this.#attributesStore.getPersistentAttributes();
  }
  /**
   * Print a log item with level INFO.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  info(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.INFO, input, extraInput);
  }
  /**
   * Class method decorator that adds the current Lambda function context as extra
   * information in all log items.
   *
   * This decorator is useful when you want to enrich your logs with information
   * from the function context, such as the function name, version, and request ID, and more.
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   * import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
   *
   * const logger = new Logger({ serviceName: 'serverlessAirline' });
   *
   * class Lambda implements LambdaInterface {
   *   // Decorate your handler class method
   *   ⁣@logger.injectLambdaContext()
   *   public async handler(_event: unknown, _context: unknown): Promise<void> {
   *     logger.info('This is an INFO log with some context');
   *   }
   * }
   *
   * const handlerClass = new Lambda();
   * export const handler = handlerClass.handler.bind(handlerClass);
   * ```
   *
   * The decorator can also be used to log the Lambda invocation event; this can be configured both via
   * the `logEvent` parameter and the `POWERTOOLS_LOGGER_LOG_EVENT` environment variable. When both
   * are set, the `logEvent` parameter takes precedence.
   *
   * Additionally, the decorator can be used to reset the temporary keys added with the `appendKeys()` method
   * after the invocation, or to flush the buffer when an uncaught error is thrown in the handler.
   *
   * @see https://www.typescriptlang.org/docs/handbook/decorators.html#method-decorators
   *
   * @param options.logEvent - When `true` the logger will log the event.
   * @param options.resetKeys - When `true` the logger will clear temporary keys added with {@link Logger.appendKeys() `appendKeys()`} method.
   * @param options.flushBufferOnUncaughtError - When `true` the logger will flush the buffer when an uncaught error is thrown in the handler.
   */
  injectLambdaContext(options) {
    return (_target, _propertyKey, descriptor) => {
      const originalMethod = descriptor.value;
      const loggerRef = this;
      descriptor.value = async function(...args) {
        loggerRef.refreshSampleRateCalculation();
        loggerRef.addContext(args[1]);
        loggerRef.logEventIfEnabled(args[0], options?.logEvent);
        if (options?.correlationIdPath) {
          loggerRef.setCorrelationId(args[0], options?.correlationIdPath);
        }
        try {
          return await originalMethod.apply(this, args);
        } catch (error) {
          if (options?.flushBufferOnUncaughtError) {
            loggerRef.flushBuffer();
            loggerRef.error({
              message: UncaughtErrorLogMessage,
              error
            });
          }
          throw error;
        } finally {
          if (options?.clearState || options?.resetKeys)
            loggerRef.resetKeys();
          loggerRef.clearBuffer();
        }
      };
    };
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions. Use {@link resetKeys()} instead.
   */
  /* v8 ignore next -- @preserve */
  static injectLambdaContextAfterOrOnError(logger, _persistentAttributes, options) {
    if (options && (options.clearState || options?.resetKeys)) {
      logger.resetKeys();
    }
  }
  /**
   * @deprecated - This method is deprecated and will be removed in the next major version.
   */
  /* v8 ignore next -- @preserve */
  static injectLambdaContextBefore(logger, event, context, options) {
    logger.addContext(context);
    logger.logEventIfEnabled(event, options?.logEvent);
  }
  /**
   * Log the AWS Lambda event payload for the current invocation if the environment variable `POWERTOOLS_LOGGER_LOG_EVENT` is set to `true`.
   *
   * @example
   * ```ts
   * process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
   *
   * import { Logger } from '@aws-lambda-powertools/logger';
   *
   * const logger = new Logger();
   *
   * export const handler = async (event) => {
   *   logger.logEventIfEnabled(event);
   *   // ... your handler code
   * }
   * ```
   *
   * @param event - The AWS Lambda event payload.
   * @param overwriteValue - Overwrite the environment variable value.
   */
  logEventIfEnabled(event, overwriteValue) {
    if (!this.shouldLogEvent(overwriteValue))
      return;
    this.info("Lambda invocation event", { event });
  }
  /**
   * This method allows recalculating the initial sampling decision for changing
   * the log level to DEBUG based on a sample rate value used during initialization,
   * potentially yielding a different outcome.
   *
   * This only works for warm starts, because we don't to avoid double sampling.
   */
  refreshSampleRateCalculation() {
    if (this.#debugLogSampling.refreshedTimes === 0) {
      this.#debugLogSampling.refreshedTimes++;
      return;
    }
    if (this.#shouldEnableDebugSampling() && this.#invocationStore.getLogLevel() > LogLevelThreshold.TRACE) {
      this.setLogLevel("DEBUG");
      this.debug("Setting log level to DEBUG due to sampling rate");
    } else {
      this.setLogLevel(this.getLogLevelNameFromNumber(this.#initialLogLevel));
    }
  }
  /**
   * Remove temporary attributes based on provided keys to all log items generated by this Logger instance.
   *
   * @param keys - The keys to remove.
   */
  removeKeys(keys) {
    this.#attributesStore.removeTemporaryKeys(keys);
  }
  /**
   * Remove the given keys from the persistent keys.
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   *
   * const logger = new Logger({
   *   persistentKeys: {
   *     environment: 'prod',
   *   },
   * });
   *
   * logger.removePersistentKeys(['environment']);
   * ```
   *
   * @param keys - The keys to remove from the persistent attributes.
   */
  removePersistentKeys(keys) {
    this.#attributesStore.removePersistentKeys(keys);
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions. Use {@link removePersistentKeys()} instead.
   */
  removePersistentLogAttributes(keys) {
    this.removePersistentKeys(keys);
  }
  /**
   * Remove all temporary log attributes added with {@link appendKeys() `appendKeys()`} method.
   */
  resetKeys() {
    this.#attributesStore.clearTemporaryAttributes();
  }
  /**
   * Set the log level for this Logger instance.
   *
   * If the log level is set using AWS Lambda Advanced Logging Controls, it sets it
   * instead of the given log level to avoid data loss.
   *
   * @param logLevel The log level to set, i.e. `error`, `warn`, `info`, `debug`, etc.
   */
  setLogLevel(logLevel) {
    if (this.awsLogLevelShortCircuit(logLevel))
      return;
    if (this.isValidLogLevel(logLevel)) {
      this.#invocationStore.setLogLevel(LogLevelThreshold[logLevel]);
    } else {
      throw new Error(`Invalid log level: ${logLevel}`);
    }
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions, please use {@link appendPersistentKeys() `appendPersistentKeys()`} instead.
   */
  setPersistentLogAttributes(attributes) {
    const filtered = this.#filterReservedAttributeKeys(attributes);
    this.#attributesStore.setPersistentAttributes(filtered);
  }
  /**
   * @deprecated Use getPersistentLogAttributes() instead
   */
  get persistentLogAttributes() {
    return this.#attributesStore.getPersistentAttributes();
  }
  /**
   * Check whether the current Lambda invocation event should be printed in the logs or not.
   *
   * @param overwriteValue - Overwrite the environment variable value.
   */
  shouldLogEvent(overwriteValue) {
    if (typeof overwriteValue === "boolean") {
      return overwriteValue;
    }
    return this.getLogEvent();
  }
  /**
   * Print a log item with level TRACE.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  trace(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.TRACE, input, extraInput);
  }
  /**
   * Print a log item with level WARN.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  warn(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.WARN, input, extraInput);
  }
  /**
   * Log a warning message once per unique message.
   *
   * @param message - The log message.
   */
  #warnOnce(message) {
    if (this.#warnOnceMap.has(message))
      return;
    this.#warnOnceMap.set(message, true);
    this.warn(message);
  }
  /**
   * Factory method for instantiating logger instances. Used by `createChild` method.
   * Important for customization and subclassing. It allows subclasses, like `MyOwnLogger`,
   * to override its behavior while keeping the main business logic in `createChild` intact.
   *
   * @example
   * ```typescript
   * // MyOwnLogger subclass
   * class MyOwnLogger extends Logger {
   *   protected createLogger(options?: ConstructorOptions): MyOwnLogger {
   *     return new MyOwnLogger(options);
   *   }
   *   // No need to re-implement business logic from `createChild` and keep track on changes
   *   public createChild(options?: ConstructorOptions): MyOwnLogger {
   *     return super.createChild(options) as MyOwnLogger;
   *   }
   * }
   * ```
   *
   * @param options - Logger configuration options.
   */
  createLogger(options) {
    return new _Logger(options);
  }
  /**
   * A custom JSON replacer function that is used to serialize the log items.
   *
   * By default, we already extend the default serialization behavior to handle `BigInt` and `Error` objects, as well as remove circular references.
   * When a custom JSON replacer function is passed to the Logger constructor, it will be called **before** our custom rules for each key-value pair in the object being stringified.
   *
   * This allows you to customize the serialization while still benefiting from the default behavior.
   *
   * @see {@link ConstructorOptions.jsonReplacerFn}
   */
  getJsonReplacer() {
    const ancestors = [];
    const jsonReplacerFn = this.#jsonReplacerFn;
    const logFormatter = this.getLogFormatter();
    return function(key, value) {
      let replacedValue = value;
      if (jsonReplacerFn)
        replacedValue = jsonReplacerFn(key, replacedValue);
      if (replacedValue instanceof Error) {
        replacedValue = logFormatter.formatError(replacedValue);
      }
      if (typeof replacedValue === "bigint") {
        return replacedValue.toString();
      }
      if (typeof replacedValue === "object" && replacedValue !== null) {
        while (ancestors.length > 0 && ancestors.at(-1) !== this) {
          ancestors.pop();
        }
        if (ancestors.includes(replacedValue)) {
          return;
        }
        ancestors.push(replacedValue);
      }
      return replacedValue;
    };
  }
  /**
   * Store information that is printed in all log items.
   *
   * @param attributes - The attributes to add to all log items.
   */
  addToPowertoolsLogData(attributes) {
    deepMerge(this.powertoolsLogData, attributes);
  }
  #filterReservedAttributeKeys(attributes) {
    const filtered = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (!this.#checkReservedKeyAndWarn(key)) {
        filtered[key] = value;
      }
    }
    return filtered;
  }
  /**
   * Shared logic for adding keys to the logger instance.
   *
   * @param attributes - The attributes to add to the log item.
   * @param type - The type of the attributes to add.
   */
  #appendKeys(attributes, type) {
    const filtered = this.#filterReservedAttributeKeys(attributes);
    if (type === "temp") {
      this.#attributesStore.appendTemporaryKeys(filtered);
    } else {
      const current = this.#attributesStore.getPersistentAttributes();
      this.#attributesStore.setPersistentAttributes(deepMerge(current, filtered));
    }
  }
  awsLogLevelShortCircuit(selectedLogLevel) {
    if (this.#alcLogLevel !== void 0) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[this.#alcLogLevel]);
      if (this.isValidLogLevel(selectedLogLevel) && this.#invocationStore.getBaseLogLevel() > LogLevelThreshold[selectedLogLevel]) {
        this.#warnOnce(`Current log level (${selectedLogLevel}) does not match AWS Lambda Advanced Logging Controls minimum log level (${this.#alcLogLevel}). This can lead to data loss, consider adjusting them.`);
      }
      return true;
    }
    return false;
  }
  /**
   * Create a log item and populate it with the given log level, input, and extra input.
   */
  createAndPopulateLogItem(logLevel, input, extraInput) {
    const unformattedBaseAttributes = {
      logLevel: this.getLogLevelNameFromNumber(logLevel),
      timestamp: /* @__PURE__ */ new Date(),
      xRayTraceId: getXRayTraceIdFromEnv(),
      ...this.#getPowertoolsLogData(),
      message: ""
    };
    const additionalAttributes = this.#attributesStore.getAllAttributes();
    this.#processMainInput(input, unformattedBaseAttributes, additionalAttributes);
    this.#processExtraInput(extraInput, additionalAttributes);
    return this.getLogFormatter().formatAttributes(unformattedBaseAttributes, additionalAttributes);
  }
  /**
   * Process the main input message and add it to the attributes
   */
  #processMainInput(input, baseAttributes, additionalAttributes) {
    if (typeof input === "string") {
      baseAttributes.message = input;
      return;
    }
    const { message, ...rest } = input;
    baseAttributes.message = message;
    for (const [key, value] of Object.entries(rest)) {
      if (!this.#checkReservedKeyAndWarn(key)) {
        additionalAttributes[key] = value;
      }
    }
  }
  /**
   * Process extra input items and add them to additional attributes
   */
  #processExtraInput(extraInput, additionalAttributes) {
    for (const item of extraInput) {
      if (isNullOrUndefined(item)) {
        continue;
      }
      if (item instanceof Error) {
        additionalAttributes.error = item;
      } else if (typeof item === "string") {
        additionalAttributes.extra = item;
      } else {
        this.#processExtraObject(item, additionalAttributes);
      }
    }
  }
  /**
   * Process an extra input object and add its properties to additional attributes
   */
  #processExtraObject(item, additionalAttributes) {
    for (const [key, value] of Object.entries(item)) {
      if (!this.#checkReservedKeyAndWarn(key)) {
        additionalAttributes[key] = value;
      }
    }
  }
  /**
   * Make a new debug log sampling decision based on the sample rate value.
   */
  #shouldEnableDebugSampling() {
    return this.#debugLogSampling.sampleRateValue && (0, import_node_crypto.randomInt)(0, 100) / 100 <= this.#debugLogSampling.sampleRateValue;
  }
  /**
   * Check if a given key is reserved and warn the user if it is.
   *
   * @param key - The key to check
   */
  #checkReservedKeyAndWarn(key) {
    if (ReservedKeys.includes(key)) {
      this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      return true;
    }
    return false;
  }
  /**
   * Get the custom config service, an abstraction used to fetch environment variables.
   */
  getCustomConfigService() {
    return this.customConfigService;
  }
  /**
   * Get the instance of a service that formats the structure of a
   * log item's keys and values in the desired way.
   */
  getLogFormatter() {
    return this.logFormatter;
  }
  /**
   * Get the log level name from the log level number.
   *
   * For example, if the log level is 16, it will return 'WARN'.
   *
   * @param logLevel - The log level to get the name of
   */
  getLogLevelNameFromNumber(logLevel) {
    let found;
    for (const [key, value] of Object.entries(LogLevelThreshold)) {
      if (value === logLevel) {
        found = key;
        break;
      }
    }
    return found;
  }
  /**
   * Get information that will be added in all log item by
   * this Logger instance (different from user-provided persistent attributes).
   */
  #getPowertoolsLogData() {
    const lambdaContext = this.#attributesStore.getLambdaContext();
    if (lambdaContext === void 0) {
      return this.powertoolsLogData;
    }
    return { ...this.powertoolsLogData, lambdaContext };
  }
  /**
   * Check if a given log level is valid.
   *
   * @param logLevel - The log level to check
   */
  isValidLogLevel(logLevel) {
    return typeof logLevel === "string" && logLevel in LogLevelThreshold;
  }
  /**
   * Check if a given sample rate value is valid.
   *
   * @param sampleRateValue - The sample rate value to check
   */
  isValidSampleRate(sampleRateValue) {
    return typeof sampleRateValue === "number" && 0 <= sampleRateValue && sampleRateValue <= 1;
  }
  /**
   * Print a given log with given log level.
   *
   * @param logLevel - The log level
   * @param log - The log item to print
   */
  printLog(logLevel, log) {
    log.prepareForPrint();
    const consoleMethod = logLevel === LogLevelThreshold.CRITICAL ? "error" : this.getLogLevelNameFromNumber(logLevel).toLowerCase();
    this.console[consoleMethod](JSON.stringify(log.getAttributes(), this.getJsonReplacer(), this.logIndentation));
  }
  /**
   * Print or buffer a given log with given log level.
   *
   * @param logLevel - The log level threshold
   * @param input - The log message
   * @param extraInput - The extra input to log
   */
  processLogItem(logLevel, input, extraInput) {
    if (this.#bufferConfig.enabled && this.#bufferConfig.flushOnErrorLog && logLevel >= LogLevelThreshold.ERROR && logLevel < LogLevelThreshold.SILENT) {
      this.flushBuffer();
    }
    const traceId = getXRayTraceIdFromEnv();
    if (traceId !== void 0 && this.shouldBufferLog(traceId, logLevel)) {
      try {
        this.bufferLogItem(traceId, this.createAndPopulateLogItem(logLevel, input, extraInput), logLevel);
      } catch (error) {
        this.printLog(LogLevelThreshold.WARN, this.createAndPopulateLogItem(LogLevelThreshold.WARN, `Unable to buffer log: ${error.message}`, [error]));
        this.printLog(logLevel, this.createAndPopulateLogItem(logLevel, input, extraInput));
      }
      return;
    }
    if (logLevel >= this.#invocationStore.getLogLevel()) {
      if (this.#isInitialized) {
        this.printLog(logLevel, this.createAndPopulateLogItem(logLevel, input, extraInput));
      } else {
        this.#initBuffer.push([logLevel, [logLevel, input, extraInput]]);
      }
    }
  }
  /**
   * Initialize the console property as an instance of the internal version of Console() class (PR #748)
   * or as the global node console if the `POWERTOOLS_DEV' env variable is set and has truthy value.
   */
  setConsole() {
    if (isDevMode()) {
      this.console = console;
    } else {
      this.console = new import_node_console.Console({
        stdout: process.stdout,
        stderr: process.stderr
      });
    }
    this.console.trace = (message, ...optionalParams) => {
      this.console.log(message, ...optionalParams);
    };
  }
  /**
   * Set the initial Logger log level based on the following order:
   * 1. If a log level is set using AWS Lambda Advanced Logging Controls, it sets it.
   * 2. If a log level is passed to the constructor, it sets it.
   * 3. If a log level is set via custom config service, it sets it.
   * 4. If a log level is set via env variables, it sets it.
   *
   * If none of the above is true, the default log level applies (`INFO`).
   *
   * @param logLevel - Log level passed to the constructor
   */
  setInitialLogLevel(logLevel) {
    const constructorLogLevel = logLevel?.toUpperCase();
    if (this.awsLogLevelShortCircuit(constructorLogLevel)) {
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
      return;
    }
    if (this.isValidLogLevel(constructorLogLevel)) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[constructorLogLevel]);
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
      return;
    }
    const customConfigValue = this.getCustomConfigService()?.getLogLevel()?.toUpperCase();
    if (this.isValidLogLevel(customConfigValue)) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[customConfigValue]);
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
      return;
    }
    const logLevelVariable = getStringFromEnv({
      key: "POWERTOOLS_LOG_LEVEL",
      defaultValue: ""
    });
    const logLevelVariableAlias = getStringFromEnv({
      key: "LOG_LEVEL",
      defaultValue: ""
    });
    const logLevelValue = logLevelVariable || logLevelVariableAlias;
    if (this.isValidLogLevel(logLevelValue)) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[logLevelValue]);
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
    }
  }
  /**
   * Set the sample rate value with the following priority:
   * 1. Constructor value
   * 2. Custom config service value
   * 3. Environment variable value
   * 4. Default value (zero)
   *
   * @param sampleRateValue - The sample rate value
   */
  setInitialSampleRate(sampleRateValue) {
    const constructorValue = sampleRateValue;
    const customConfigValue = this.getCustomConfigService()?.getSampleRateValue();
    const sampleRateEnvVariable = getNumberFromEnv({
      key: "POWERTOOLS_LOGGER_SAMPLE_RATE",
      defaultValue: 0
    });
    for (const value of [
      constructorValue,
      customConfigValue,
      sampleRateEnvVariable
    ]) {
      if (this.isValidSampleRate(value)) {
        this.#debugLogSampling.sampleRateValue = value;
        this.powertoolsLogData.sampleRateValue = value;
        if (this.#shouldEnableDebugSampling() && this.#invocationStore.getBaseLogLevel() > LogLevelThreshold.TRACE) {
          this.setLogLevel("DEBUG");
          this.debug("Setting log level to DEBUG due to sampling rate");
        }
        break;
      }
    }
  }
  /**
   * If the log event feature is enabled via env variable, it sets a property that tracks whether
   * the event passed to the Lambda function handler should be logged or not.
   */
  setLogEvent() {
    this.logEvent = getBooleanFromEnv({
      key: "POWERTOOLS_LOGGER_LOG_EVENT",
      defaultValue: false
    });
  }
  /**
   * Set the log formatter instance, in charge of giving a custom format
   * to the structured logs, and optionally the ordering for keys within logs.
   *
   * @param logFormatter - The log formatter
   * @param logRecordOrder - Optional list of keys to specify order in logs
   */
  setLogFormatter(logFormatter, logRecordOrder) {
    this.logFormatter = logFormatter ?? new PowertoolsLogFormatter({
      logRecordOrder
    });
  }
  /**
   * If the `POWERTOOLS_DEV` env variable is set,
   * add JSON indentation for pretty printing logs.
   */
  setLogIndentation() {
    if (isDevMode()) {
      this.logIndentation = LogJsonIndent.PRETTY;
    }
  }
  /**
   * Configure the Logger instance settings that will affect the Logger's behaviour
   * and the content of all logs.
   *
   * @param options - Options to configure the Logger instance
   */
  setOptions(options) {
    const {
      logLevel,
      serviceName,
      sampleRateValue,
      logFormatter,
      persistentKeys,
      persistentLogAttributes,
      // deprecated in favor of persistentKeys
      environment,
      jsonReplacerFn,
      logRecordOrder,
      logBufferOptions,
      correlationIdSearchFn
    } = options;
    if (persistentLogAttributes && Object.keys(persistentLogAttributes).length > 0 && persistentKeys && Object.keys(persistentKeys).length > 0) {
      this.warn("Both persistentLogAttributes and persistentKeys options were provided. Using persistentKeys as persistentLogAttributes is deprecated and will be removed in future releases");
    }
    this.setPowertoolsLogData(serviceName, environment, persistentKeys || persistentLogAttributes);
    const lambdaLogLevel = getStringFromEnv({
      key: "AWS_LAMBDA_LOG_LEVEL",
      defaultValue: ""
    });
    const AlcLogLevel = lambdaLogLevel === "FATAL" ? "CRITICAL" : lambdaLogLevel;
    if (this.isValidLogLevel(AlcLogLevel)) {
      this.#alcLogLevel = AlcLogLevel;
    }
    this.setLogEvent();
    this.setInitialLogLevel(logLevel);
    this.setInitialSampleRate(sampleRateValue);
    this.setLogFormatter(logFormatter, logRecordOrder);
    this.setConsole();
    this.setLogIndentation();
    this.#jsonReplacerFn = jsonReplacerFn;
    this.#setLogBuffering(logBufferOptions);
    this.#correlationIdSearchFn = correlationIdSearchFn;
    return this;
  }
  /**
   * Add important data to the Logger instance that will affect the content of all logs.
   *
   * @param serviceName - The service name
   * @param environment - The environment
   * @param persistentKeys - The persistent log attributes
   */
  setPowertoolsLogData(serviceName, environment, persistentKeys) {
    this.addToPowertoolsLogData({
      awsRegion: getStringFromEnv({
        key: "AWS_REGION",
        defaultValue: ""
      }),
      environment: environment || this.getCustomConfigService()?.getCurrentEnvironment() || getStringFromEnv({
        key: "ENVIRONMENT",
        defaultValue: ""
      }),
      serviceName: serviceName || this.getCustomConfigService()?.getServiceName() || getStringFromEnv({
        key: "POWERTOOLS_SERVICE_NAME",
        defaultValue: ""
      }) || this.defaultServiceName
    });
    persistentKeys && this.appendPersistentKeys(persistentKeys);
  }
  /**
   * Configure the buffer settings for the Logger instance.
   *
   * @param options - Options to configure the Logger instance
   */
  #setLogBuffering(options) {
    if (options === void 0) {
      return;
    }
    this.#bufferConfig.enabled = options?.enabled !== false;
    if (this.#bufferConfig.enabled === false)
      return;
    if (options?.maxBytes !== void 0) {
      this.#bufferConfig.maxBytes = options.maxBytes;
    }
    this.#invocationStore.configureBuffer(this.#bufferConfig.maxBytes);
    if (options?.flushOnErrorLog === false) {
      this.#bufferConfig.flushOnErrorLog = false;
    }
    const bufferAtLogLevel = options?.bufferAtVerbosity?.toUpperCase();
    if (this.isValidLogLevel(bufferAtLogLevel)) {
      this.#bufferConfig.bufferAtVerbosity = LogLevelThreshold[bufferAtLogLevel];
    }
    if (this.#alcLogLevel !== void 0 && LogLevelThreshold[this.#alcLogLevel] > this.#bufferConfig.bufferAtVerbosity) {
      this.#warnOnce("Advanced Loggging Controls (ALC) Log Level is less verbose than Log Buffering Log Level. Buffered logs will be filtered by ALC");
    }
  }
  /**
   * Add a log to the buffer.
   *
   * @param xrayTraceId - `_X_AMZN_TRACE_ID` of the request
   * @param log - Log to be buffered
   * @param logLevel - The level of log to be buffered
   */
  bufferLogItem(xrayTraceId, log, logLevel) {
    log.prepareForPrint();
    this.#invocationStore.add(xrayTraceId, JSON.stringify(log.getAttributes(), this.getJsonReplacer(), this.logIndentation), logLevel);
  }
  /**
   * Flush all logs in the request buffer.
   *
   * This is called automatically when you use the {@link injectLambdaContext | `@logger.injectLambdaContext()`} decorator and
   * your function throws an error.
   */
  flushBuffer() {
    if (this.#bufferConfig.enabled === false) {
      return;
    }
    const traceId = getXRayTraceIdFromEnv();
    if (traceId === void 0) {
      return;
    }
    const buffer = this.#invocationStore.get(traceId);
    if (buffer === void 0) {
      return;
    }
    for (const item of buffer) {
      const consoleMethod = this.getLogLevelNameFromNumber(item.logLevel).toLowerCase();
      this.console[consoleMethod](item.value);
    }
    if (buffer.hasEvictedLog) {
      this.printLog(LogLevelThreshold.WARN, this.createAndPopulateLogItem(LogLevelThreshold.WARN, "Some logs are not displayed because they were evicted from the buffer. Increase buffer size to store more logs in the buffer", []));
    }
    if (this.#alcLogLevel !== void 0 && LogLevelThreshold[this.#alcLogLevel] > this.#bufferConfig.bufferAtVerbosity) {
      this.#warnOnce("Advanced Loggging Controls (ALC) Log Level is less verbose than Log Buffering Log Level. Some logs might be missing.");
    }
    this.#invocationStore.delete(traceId);
  }
  /**
   * Empties the buffer for the current request
   */
  clearBuffer() {
    if (this.#bufferConfig.enabled === false) {
      return;
    }
    const traceId = getXRayTraceIdFromEnv();
    if (traceId === void 0) {
      return;
    }
    this.#invocationStore.delete(traceId);
  }
  /**
   * Test if the log meets the criteria to be buffered.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   * @param logLevel - The level of the log being considered
   */
  shouldBufferLog(traceId, logLevel) {
    return this.#bufferConfig.enabled && traceId !== void 0 && logLevel <= this.#bufferConfig.bufferAtVerbosity;
  }
  /**
   * Set the correlation ID for the log item.
   *
   * This method can be used to set the correlation ID for the log item or to search for the correlation ID in the event.
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   *
   * const logger = new Logger();
   * logger.setCorrelationId('my-correlation-id'); // sets the correlation ID directly with the first argument as value
   * ```
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   * import { search } from '@aws-lambda-powertools/logger/correlationId';
   *
   * const logger = new Logger({ correlationIdSearchFn: search });
   * logger.setCorrelationId(event, 'requestContext.requestId'); // sets the correlation ID from the event using JMSPath expression
   * ```
   *
   * @param value - The value to set as the correlation ID or the event to search for the correlation ID
   * @param correlationIdPath - Optional JMESPath expression to extract the correlation ID for the payload
   */
  setCorrelationId(value, correlationIdPath) {
    if (typeof correlationIdPath === "string") {
      if (!this.#correlationIdSearchFn) {
        this.#warnOnce("correlationIdPath is set but no search function was provided. The correlation ID will not be added to the log attributes.");
        return;
      }
      const correlationId = this.#correlationIdSearchFn(correlationIdPath, value);
      if (correlationId)
        this.appendKeys({ correlation_id: correlationId });
      return;
    }
    this.appendKeys({ correlation_id: value });
  }
  /**
   * Get the correlation ID from the log attributes.
   */
  getCorrelationId() {
    return this.#attributesStore.getTemporaryAttributes().correlation_id;
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/constants.js
var COLD_START_METRIC = "ColdStart";
var DEFAULT_NAMESPACE = "default_namespace";
var MIN_METRIC_NAME_LENGTH = 1;
var MAX_METRIC_NAME_LENGTH = 255;
var MAX_METRICS_SIZE = 100;
var MAX_METRIC_VALUES_SIZE = 100;
var MAX_DIMENSION_COUNT = 29;
var EMF_MAX_TIMESTAMP_PAST_AGE = 14 * 24 * 60 * 60 * 1e3;
var EMF_MAX_TIMESTAMP_FUTURE_AGE = 2 * 60 * 60 * 1e3;
var MetricUnit = {
  Seconds: "Seconds",
  Microseconds: "Microseconds",
  Milliseconds: "Milliseconds",
  Bytes: "Bytes",
  Kilobytes: "Kilobytes",
  Megabytes: "Megabytes",
  Gigabytes: "Gigabytes",
  Terabytes: "Terabytes",
  Bits: "Bits",
  Kilobits: "Kilobits",
  Megabits: "Megabits",
  Gigabits: "Gigabits",
  Terabits: "Terabits",
  Percent: "Percent",
  Count: "Count",
  BytesPerSecond: "Bytes/Second",
  KilobytesPerSecond: "Kilobytes/Second",
  MegabytesPerSecond: "Megabytes/Second",
  GigabytesPerSecond: "Gigabytes/Second",
  TerabytesPerSecond: "Terabytes/Second",
  BitsPerSecond: "Bits/Second",
  KilobitsPerSecond: "Kilobits/Second",
  MegabitsPerSecond: "Megabits/Second",
  GigabitsPerSecond: "Gigabits/Second",
  TerabitsPerSecond: "Terabits/Second",
  CountPerSecond: "Count/Second",
  NoUnit: "None"
};
var MetricResolution = {
  Standard: 60,
  High: 1
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/Metrics.js
var import_node_console2 = require("node:console");

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/version.js
var PT_VERSION2 = "2.36.0";

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/awsSdkUtils.js
var EXEC_ENV2 = process.env.AWS_EXECUTION_ENV || "NA";

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/middleware/constants.js
var PREFIX2 = "powertools-for-aws";
var TRACER_KEY2 = `${PREFIX2}.tracer`;
var METRICS_KEY2 = `${PREFIX2}.metrics`;
var LOGGER_KEY2 = `${PREFIX2}.logger`;
var IDEMPOTENCY_KEY2 = `${PREFIX2}.idempotency`;

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/typeUtils.js
var isString2 = (value) => {
  return typeof value === "string";
};
var isNumber2 = (value) => {
  return typeof value === "number";
};
var isIntegerNumber2 = (value) => {
  return isNumber2(value) && Number.isInteger(value);
};
var isNull2 = (value) => {
  return Object.is(value, null);
};
var isNullOrUndefined2 = (value) => {
  return isNull2(value) || Object.is(value, void 0);
};
var isStringUndefinedNullEmpty2 = (value) => {
  if (isNullOrUndefined2(value))
    return true;
  if (!isString2(value))
    return true;
  if (value.trim().length === 0)
    return true;
  return false;
};

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/constants.js
var AWS_LAMBDA_INITIALIZATION_TYPE_ENV_VAR2 = "AWS_LAMBDA_INITIALIZATION_TYPE";
var AWS_LAMBDA_MAX_CONCURRENCY2 = "AWS_LAMBDA_MAX_CONCURRENCY";
var POWERTOOLS_DEV_ENV_VAR2 = "POWERTOOLS_DEV";
var POWERTOOLS_SERVICE_NAME_ENV_VAR2 = "POWERTOOLS_SERVICE_NAME";

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/Utility.js
var Utility2 = class {
  #initializationType;
  coldStart = true;
  defaultServiceName = "service_undefined";
  constructor() {
    this.#initializationType = this.getInitializationType();
    if (this.#initializationType !== "on-demand") {
      this.coldStart = false;
    }
  }
  /**
   * Get the value of the `AWS_LAMBDA_INITIALIZATION_TYPE` environment variable.
   */
  getInitializationType() {
    const envVarValue = process.env[AWS_LAMBDA_INITIALIZATION_TYPE_ENV_VAR2]?.trim();
    if (envVarValue === "on-demand") {
      return "on-demand";
    }
    if (envVarValue === "provisioned-concurrency") {
      return "provisioned-concurrency";
    }
    return "unknown";
  }
  /**
   * Get the cold start status of the current execution environment.
   *
   * The method also flips the cold start status to `false` after the first invocation.
   */
  getColdStart() {
    if (this.#initializationType !== "on-demand") {
      return false;
    }
    if (this.coldStart) {
      this.coldStart = false;
      return true;
    }
    return false;
  }
  /**
   * Validate that the service name provided is valid.
   * Used internally during initialization.
   *
   * @param serviceName Service name to validate
   */
  isValidServiceName(serviceName) {
    return typeof serviceName === "string" && serviceName.trim().length > 0;
  }
};

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/index.js
var env2 = process.env.AWS_EXECUTION_ENV || "NA";
if (!process.env.AWS_SDK_UA_APP_ID?.includes("/PTEnv/")) {
  const ptUserAgent = `PT/NO-OP/${PT_VERSION2}/PTEnv/${env2}`;
  process.env.AWS_SDK_UA_APP_ID = process.env.AWS_SDK_UA_APP_ID ? `${process.env.AWS_SDK_UA_APP_ID}/${ptUserAgent}` : ptUserAgent;
}

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/envUtils.js
var getStringFromEnv2 = ({ key, defaultValue, errorMessage }) => {
  const value = process.env[key];
  if (value === void 0) {
    if (defaultValue !== void 0) {
      return defaultValue;
    }
    if (errorMessage) {
      throw new Error(errorMessage);
    }
    throw new Error(`Environment variable ${key} is required`);
  }
  return value.trim();
};
var truthyValues2 = /* @__PURE__ */ new Set(["1", "y", "yes", "t", "true", "on"]);
var falsyValues2 = /* @__PURE__ */ new Set(["0", "n", "no", "f", "false", "off"]);
var getBooleanFromEnv2 = ({ key, defaultValue, errorMessage, extendedParsing }) => {
  const value = getStringFromEnv2({
    key,
    defaultValue: String(defaultValue),
    errorMessage
  });
  const parsedValue = value.toLowerCase();
  if (extendedParsing) {
    if (truthyValues2.has(parsedValue)) {
      return true;
    }
    if (falsyValues2.has(parsedValue)) {
      return false;
    }
  }
  if (parsedValue !== "true" && parsedValue !== "false") {
    throw new Error(`Environment variable ${key} must be a boolean`);
  }
  return parsedValue === "true";
};
var isDevMode2 = () => {
  try {
    return getBooleanFromEnv2({
      key: POWERTOOLS_DEV_ENV_VAR2,
      extendedParsing: true
    });
  } catch {
    return false;
  }
};
var getServiceName = () => {
  return getStringFromEnv2({
    key: POWERTOOLS_SERVICE_NAME_ENV_VAR2,
    defaultValue: ""
  });
};
var shouldUseInvokeStore2 = () => {
  const res = getStringFromEnv2({
    key: AWS_LAMBDA_MAX_CONCURRENCY2,
    defaultValue: ""
  });
  return res !== "";
};

// node_modules/@aws-lambda-powertools/metrics/node_modules/@aws-lambda-powertools/commons/lib/esm/InvocationScoped.js
var InvocationScoped2 = class {
  /**
   * Key the boxed value is stored under in the InvokeStore, unique to this
   * instance.
   */
  #key;
  /**
   * Creates the value, either by calling the `fresh` factory or by handing back
   * the `initial` value.
   */
  #createValue;
  /**
   * Whether each invocation gets its own value created for it (`fresh`) instead
   * of falling back to the shared one (`initial`).
   */
  #createsPerInvocation;
  /**
   * The value shared across invocations, boxed like the invocation-scoped one.
   */
  #sharedValue;
  /**
   * @param name - Description of the value, used for the storage key, e.g. `powertools.logger.logLevel`
   * @param {Object} options - Options to create the value
   * @param options.initial - Value shared across invocations until one sets its own
   * @param options.fresh - Creates the value, called once per invocation on first access, and once for the shared value
   */
  constructor(name, options) {
    this.#key = Symbol(name);
    if ("fresh" in options) {
      this.#createValue = options.fresh;
      this.#createsPerInvocation = true;
    } else {
      const { initial } = options;
      this.#createValue = () => initial;
      this.#createsPerInvocation = false;
    }
  }
  /**
   * Whether reads and writes are currently scoped to a single invocation.
   */
  get isScoped() {
    return this.#getScopedStore() !== void 0;
  }
  /**
   * Gets the invocation-scoped value when there is one, otherwise the shared
   * value.
   *
   * A `fresh` value is created on first access, and the same one is handed back
   * for the rest of the invocation.
   */
  get() {
    const store = this.#getScopedStore();
    if (store === void 0) {
      return this.getShared();
    }
    const scopedValue = store.get(this.#key);
    if (scopedValue !== void 0) {
      return scopedValue[0];
    }
    if (!this.#createsPerInvocation) {
      return this.getShared();
    }
    const freshValue = this.#createValue();
    store.set(this.#key, [freshValue]);
    return freshValue;
  }
  /**
   * Sets the value for the current invocation, or the shared value when no
   * invocation context is active, i.e. during initialization.
   *
   * `undefined` is a value like any other: it shadows the shared value until
   * {@link InvocationScoped.reset | `reset()`} discards it.
   *
   * @param value - The value to store
   */
  set(value) {
    const store = this.#getScopedStore();
    if (store === void 0) {
      this.setShared(value);
      return;
    }
    store.set(this.#key, [value]);
  }
  /**
   * Discards the value, so that a `fresh` one is created on the next access and
   * an `initial` one goes back to the shared value.
   *
   * Outside an invocation context the shared value is discarded instead, which
   * puts an `initial` value back to the one given at construction.
   */
  reset() {
    const store = this.#getScopedStore();
    if (store === void 0) {
      this.#sharedValue = void 0;
      return;
    }
    store.set(this.#key, void 0);
  }
  /**
   * Gets the value shared across invocations, ignoring any invocation context.
   *
   * It is created on first access, whether from here or from
   * {@link InvocationScoped.get | `get()`}.
   */
  getShared() {
    this.#sharedValue ??= [this.#createValue()];
    return this.#sharedValue[0];
  }
  /**
   * Sets the value shared across invocations, ignoring any invocation context.
   *
   * @param value - The value to store
   */
  setShared(value) {
    this.#sharedValue = [value];
  }
  /**
   * Gets the InvokeStore when reads and writes should be scoped to the current
   * invocation, or `undefined` when they should go to the shared value.
   */
  #getScopedStore() {
    if (!shouldUseInvokeStore2()) {
      return void 0;
    }
    const store = globalThis.awslambda?.InvokeStore;
    if (store === void 0) {
      throw new Error("InvokeStore is not available");
    }
    return store.hasContext() ? store : void 0;
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/DimensionsStore.js
var DimensionsStore = class {
  #dimensions = new InvocationScoped2("powertools.metrics.dimensions", { fresh: () => ({}) });
  #dimensionSets = new InvocationScoped2("powertools.metrics.dimensionSets", { fresh: () => [] });
  #defaultDimensions = {};
  #getDimensions() {
    return this.#dimensions.get();
  }
  #getDimensionSets() {
    return this.#dimensionSets.get();
  }
  addDimension(name, value) {
    this.#getDimensions()[name] = value;
    return value;
  }
  addDimensionSet(dimensionSet) {
    this.#getDimensionSets().push({ ...dimensionSet });
    return dimensionSet;
  }
  getDimensions() {
    return { ...this.#getDimensions() };
  }
  getDimensionSets() {
    return this.#getDimensionSets().map((set) => ({ ...set }));
  }
  clearRequestDimensions() {
    this.#dimensions.reset();
    this.#dimensionSets.reset();
  }
  clearDefaultDimensions() {
    this.#defaultDimensions = {};
  }
  setDefaultDimensions(dimensions) {
    this.#defaultDimensions = { ...dimensions };
  }
  getDefaultDimensions() {
    return { ...this.#defaultDimensions };
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/MetadataStore.js
var MetadataStore = class {
  #metadata = new InvocationScoped2("powertools.metrics.metadata", { fresh: () => ({}) });
  #getStorage() {
    return this.#metadata.get();
  }
  set(key, value) {
    this.#getStorage()[key] = value;
    return value;
  }
  getAll() {
    return { ...this.#getStorage() };
  }
  clear() {
    this.#metadata.reset();
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/MetricsStore.js
var MetricsStore = class {
  #storedMetrics = new InvocationScoped2("powertools.metrics.storedMetrics", { fresh: () => ({}) });
  #timestamp = new InvocationScoped2("powertools.metrics.timestamp", { initial: void 0 });
  #getStorage() {
    return this.#storedMetrics.get();
  }
  getMetric(name) {
    return this.#getStorage()[name];
  }
  /**
   * Adds a metric value to storage. If a metric with the same name already exists,
   * the value is appended to an array. Validates that the unit matches any existing metric.
   *
   * @example
   * ```typescript
   * store.setMetric('latency', MetricUnit.Milliseconds, 100);
   * // Returns: { name: 'latency', unit: 'Milliseconds', value: 100, resolution: 60 }
   *
   * store.setMetric('latency', MetricUnit.Milliseconds, 150);
   * // Returns: { name: 'latency', unit: 'Milliseconds', value: [100, 150], resolution: 60 }
   * ```
   *
   * @param name - The metric name
   * @param unit - The metric unit (must match existing metric if present)
   * @param value - The metric value to add
   * @param resolution - The metric resolution (defaults to Standard)
   * @returns The stored metric with updated values
   * @throws Error if unit doesn't match existing metric
   */
  setMetric(name, unit, value, resolution = MetricResolution.Standard) {
    const storage = this.#getStorage();
    const existingMetric = storage[name];
    if (existingMetric === void 0) {
      const newMetric = {
        name,
        unit,
        value,
        resolution
      };
      storage[name] = newMetric;
      return { ...newMetric };
    }
    if (existingMetric.unit !== unit) {
      const currentUnit = existingMetric.unit;
      throw new Error(`Metric "${name}" has already been added with unit "${currentUnit}", but we received unit "${unit}". Did you mean to use metric unit "${currentUnit}"?`);
    }
    if (!Array.isArray(existingMetric.value)) {
      existingMetric.value = [existingMetric.value];
    }
    existingMetric.value.push(value);
    return { ...existingMetric, value: [...existingMetric.value] };
  }
  getMetricNames() {
    return Object.keys(this.#getStorage());
  }
  getAllMetrics() {
    return Object.values(this.#getStorage());
  }
  clearMetrics() {
    this.#storedMetrics.reset();
    this.#timestamp.set(void 0);
  }
  hasMetrics() {
    return this.getMetricNames().length > 0;
  }
  getMetricsCount() {
    return this.getMetricNames().length;
  }
  getTimestamp() {
    return this.#timestamp.get();
  }
  setTimestamp(timestamp) {
    const timestampMs = this.#convertTimestampToEmfFormat(timestamp);
    this.#timestamp.set(timestampMs);
    return timestampMs;
  }
  #convertTimestampToEmfFormat(timestamp) {
    if (isIntegerNumber2(timestamp)) {
      return timestamp;
    }
    if (timestamp instanceof Date) {
      return timestamp.getTime();
    }
    return 0;
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/Metrics.js
var Metrics = class _Metrics extends Utility2 {
  /**
   * Console instance used to print logs.
   *
   * In AWS Lambda, we create a new instance of the Console class so that we can have
   * full control over the output of the logs. In testing environments, we use the
   * default console instance.
   *
   * This property is initialized in the constructor in setOptions().
   *
   * @private
   */
  console;
  /**
   * Custom configuration service for metrics
   */
  customConfigService;
  /**
   * Storage for dimensions
   */
  #dimensionsStore = new DimensionsStore();
  /**
   * Name of the Lambda function
   */
  functionName;
  /**
   * Custom logger object used for emitting debug, warning, and error messages.
   *
   * Note that this logger is not used for emitting metrics which are emitted to standard output using the `Console` object.
   */
  #logger;
  /**
   * Flag indicating if this is a single metric instance
   * @default false
   */
  isSingleMetric = false;
  /**
   * Additional metadata to be included with metrics
   */
  #metadataStore = new MetadataStore();
  /**
   * Namespace for the metrics
   */
  namespace;
  /**
   * Flag to determine if an error should be thrown when no metrics are recorded
   * @default false
   */
  shouldThrowOnEmptyMetrics = false;
  /**
   * Storage for metrics before they are published
   */
  #metricsStore = new MetricsStore();
  /**
   * Whether to disable metrics
   */
  disabled = false;
  /**
   * Cached environment config values.
   * Initialized once in setEnvConfig().
   */
  #envConfig = {
    namespace: "",
    functionName: "",
    serviceName: "",
    disabled: false,
    devMode: false
  };
  constructor(options = {}) {
    super();
    this.setEnvConfig();
    this.setConsole();
    this.#logger = options.logger || this.console;
    this.setOptions(options);
  }
  /**
   * Add a dimension to metrics.
   *
   * A dimension is a key-value pair that is used to group metrics, and it is included in all metrics emitted after it is added.
   * Invalid dimension values are skipped and a warning is logged.
   *
   * When calling the {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`} method, the dimensions are cleared. This type of
   * dimension is useful when you want to add request-specific dimensions to your metrics. If you want to add dimensions that are
   * included in all metrics, use the {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} method.
   *
   * @param name - The name of the dimension
   * @param value - The value of the dimension
   */
  addDimension(name, value) {
    if (isStringUndefinedNullEmpty2(name) || isStringUndefinedNullEmpty2(value)) {
      this.#logger.warn(`The dimension ${name} doesn't meet the requirements and won't be added. Ensure the dimension name and value are non empty strings`);
      return this;
    }
    const dimensions = this.#dimensionsStore.getDimensions();
    const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const projectedSize = (/* @__PURE__ */ new Set([
      ...Object.keys(defaultDimensions),
      ...Object.keys(dimensions),
      name
    ])).size;
    if (projectedSize > MAX_DIMENSION_COUNT) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSION_COUNT}`);
    }
    if (Object.hasOwn(dimensions, name) || Object.hasOwn(defaultDimensions, name)) {
      this.#logger.warn(`Dimension "${name}" has already been added. The previous value will be overwritten.`);
    }
    this.#dimensionsStore.addDimension(name, value);
    return this;
  }
  /**
   * Add multiple dimensions to the metrics.
   *
   * This method is useful when you want to add multiple dimensions to the metrics at once.
   * Invalid dimension values are skipped and a warning is logged.
   *
   * When calling the {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`} method, the dimensions are cleared. This type of
   * dimension is useful when you want to add request-specific dimensions to your metrics. If you want to add dimensions that are
   * included in all metrics, use the {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} method.
   *
   * @param dimensions - An object with key-value pairs of dimensions
   */
  addDimensions(dimensions) {
    const newDimensions = this.#sanitizeDimensions(dimensions);
    const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const projectedSize = (/* @__PURE__ */ new Set([
      ...Object.keys(defaultDimensions),
      ...Object.keys(newDimensions)
    ])).size;
    if (projectedSize > MAX_DIMENSION_COUNT) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSION_COUNT}`);
    }
    this.#dimensionsStore.addDimensionSet(newDimensions);
    return this;
  }
  /**
   * A metadata key-value pair to be included with metrics.
   *
   * You can use this method to add high-cardinality data as part of your metrics.
   * This is useful when you want to search highly contextual information along with your metrics in your logs.
   *
   * Note that the metadata is not included in the Amazon CloudWatch UI, but it can be used to search and filter logs.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async (event) => {
   *   metrics.addMetadata('request_id', event.requestId);
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   * ```
   *
   * @param key - The key of the metadata
   * @param value - The value of the metadata
   */
  addMetadata(key, value) {
    this.#metadataStore.set(key, value);
    return this;
  }
  /**
   * Add a metric to the metrics buffer.
   *
   * By default, metrics are buffered and flushed when calling {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`} method,
   * or at the end of the handler function when using the {@link Metrics.logMetrics | `logMetrics()`} decorator or the Middy.js middleware.
   *
   * Metrics are emitted to standard output in the Amazon CloudWatch EMF (Embedded Metric Format) schema.
   *
   * You can add a metric by specifying the metric name, unit, and value. For convenience,
   * we provide a set of constants for the most common units in the {@link MetricUnits | MetricUnit} dictionary object.
   *
   * Optionally, you can specify a {@link https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Resolution_definition | resolution}, which can be either `High` or `Standard`, using the {@link MetricResolutions | MetricResolution} dictionary object.
   * By default, metrics are published with a resolution of `Standard`.
   *
   * @example
   * ```typescript
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   * ```
   *
   * @param name - The metric name
   * @param unit - The metric unit, see {@link MetricUnits | MetricUnit}
   * @param value - The metric value
   * @param resolution - The metric resolution, see {@link MetricResolutions | MetricResolution}
   */
  addMetric(name, unit, value, resolution = MetricResolution.Standard) {
    this.storeMetric(name, unit, value, resolution);
    if (this.isSingleMetric)
      this.publishStoredMetrics();
    return this;
  }
  /**
   * Immediately emit a `ColdStart` metric if this is a cold start invocation.
   *
   * A cold start is when AWS Lambda initializes a new instance of your function. To take advantage of this feature,
   * you must instantiate the Metrics class outside of the handler function.
   *
   * By using this method, the metric will be emitted immediately without you having to call {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}.
   *
   * If you are using the {@link Metrics.logMetrics | `logMetrics()`} decorator, or the Middy.js middleware, you can enable this
   * feature by setting the `captureColdStartMetric` option to `true`.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.captureColdStartMetric();
   * };
   * ```
   *
   * @param functionName - Optional function name to use as `function_name` dimension in the metric. It's used only if the `functionName` constructor parameter or environment variable are not set.
   */
  captureColdStartMetric(functionName) {
    if (!this.getColdStart())
      return;
    const singleMetric = this.singleMetric();
    const value = this.functionName?.trim() ?? functionName?.trim();
    if (value && value.length > 0) {
      singleMetric.addDimension("function_name", value);
    }
    singleMetric.addMetric(COLD_START_METRIC, MetricUnit.Count, 1);
  }
  /**
   * Clear all previously set default dimensions.
   *
   * This will remove all default dimensions set by the {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} method
   * or via the `defaultDimensions` parameter in the constructor.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders',
   *   defaultDimensions: { environment: 'dev' },
   * });
   *
   * metrics.setDefaultDimensions({ region: 'us-west-2' });
   *
   * // both environment and region dimensions are removed
   * metrics.clearDefaultDimensions();
   * ```
   */
  clearDefaultDimensions() {
    this.#dimensionsStore.clearDefaultDimensions();
  }
  /**
   * Clear all the dimensions added to the Metrics instance via {@link Metrics.addDimension | `addDimension()`} or {@link Metrics.addDimensions | `addDimensions()`}.
   *
   * These dimensions are normally cleared when calling {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}, but
   * you can use this method to clear specific dimensions that you no longer need at runtime.
   *
   * This method does not clear the default dimensions set via {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} or via
   * the `defaultDimensions` parameter in the constructor.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.addDimension('region', 'us-west-2');
   *
   *   // ...
   *
   *   metrics.clearDimensions(); // only the region dimension is removed
   * };
   * ```
   *
   * The method is primarily intended for internal use, but it is exposed for advanced use cases.
   */
  clearDimensions() {
    this.#dimensionsStore.clearRequestDimensions();
  }
  /**
   * Clear all the metadata added to the Metrics instance.
   *
   * Metadata is normally cleared when calling {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}, but
   * you can use this method to clear specific metadata that you no longer need at runtime.
   *
   * The method is primarily intended for internal use, but it is exposed for advanced use cases.
   */
  clearMetadata() {
    this.#metadataStore.clear();
  }
  /**
   * Clear all the metrics stored in the buffer.
   *
   * This is useful when you want to clear the metrics stored in the buffer without publishing them.
   *
   * The method is primarily intended for internal use, but it is exposed for advanced use cases.
   */
  clearMetrics() {
    this.#metricsStore.clearMetrics();
  }
  /**
   * Check if there are stored metrics in the buffer.
   */
  hasStoredMetrics() {
    return this.#metricsStore.hasMetrics();
  }
  /**
   * Whether metrics are disabled.
   */
  isDisabled() {
    return this.disabled;
  }
  /**
   * A class method decorator to automatically log metrics after the method returns or throws an error.
   *
   * The decorator can be used with TypeScript classes and can be configured to optionally capture a `ColdStart` metric (see {@link Metrics.captureColdStartMetric | `captureColdStartMetric()`}),
   * throw an error if no metrics are emitted (see {@link Metrics.setThrowOnEmptyMetrics | `setThrowOnEmptyMetrics()`}),
   * and set default dimensions for all metrics (see {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`}).
   *
   * @example
   *
   * ```typescript
   * import type { Context } from 'aws-lambda';
   * import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * class Lambda implements LambdaInterface {
   *   ⁣@metrics.logMetrics({ captureColdStartMetric: true })
   *   public async handler(_event: { requestId: string }, _: Context) {
   *     metrics.addMetadata('request_id', event.requestId);
   *     metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   }
   * }
   *
   * const handlerClass = new Lambda();
   * export const handler = handlerClass.handler.bind(handlerClass);
   * ```
   *
   * You can configure the decorator with the following options:
   * - `captureColdStartMetric` - Whether to capture a `ColdStart` metric
   * - `defaultDimensions` - Default dimensions to add to all metrics
   * - `throwOnEmptyMetrics` - Whether to throw an error if no metrics are emitted
   *
   * @param options - Options to configure the behavior of the decorator, see {@link ExtraOptions}
   */
  logMetrics(options = {}) {
    const { throwOnEmptyMetrics, defaultDimensions, captureColdStartMetric } = options;
    if (throwOnEmptyMetrics) {
      this.setThrowOnEmptyMetrics(throwOnEmptyMetrics);
    }
    if (defaultDimensions !== void 0) {
      this.setDefaultDimensions(defaultDimensions);
    }
    return (_target, _propertyKey, descriptor) => {
      const originalMethod = descriptor.value;
      const metricsRef = this;
      descriptor.value = async function(...args) {
        if (captureColdStartMetric) {
          metricsRef.captureColdStartMetric(args[1].functionName);
        }
        let result;
        try {
          result = await originalMethod.apply(this, args);
        } finally {
          metricsRef.publishStoredMetrics();
        }
        return result;
      };
      return descriptor;
    };
  }
  /**
   * Flush the stored metrics to standard output.
   *
   * The method empties the metrics buffer and emits the metrics to standard output in the Amazon CloudWatch EMF (Embedded Metric Format) schema.
   *
   * When using the {@link Metrics.logMetrics | `logMetrics()`} decorator, or the Middy.js middleware, the metrics are automatically flushed after the handler function returns or throws an error.
   *
   * @example
   * ```typescript
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   * ```
   */
  publishStoredMetrics() {
    const hasMetrics = this.hasStoredMetrics();
    if (!this.shouldThrowOnEmptyMetrics && !hasMetrics) {
      this.#logger.warn("No application metrics to publish. The cold-start metric may be published if enabled. If application metrics should never be empty, consider using `throwOnEmptyMetrics`");
    }
    try {
      if (!this.disabled) {
        const emfOutput = this.serializeMetrics();
        hasMetrics && this.console.log(JSON.stringify(emfOutput));
      }
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
  /**
   * Flush the stored metrics when the instance goes out of a `using` scope.
   *
   * This implements the [`Disposable`](https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Symbol/dispose)
   * interface by delegating to {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}.
   * When the binding declared with `using` leaves scope—including when an exception is thrown—the stored
   * metrics are automatically flushed, removing the need for a manual `try/finally` block.
   *
   * The `using` keyword requires Node.js 24 or newer.
   *
   * @example
   * ```typescript
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   using _ = metrics;
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   // metrics are automatically flushed when the scope exits, including on exceptions
   * };
   * ```
   */
  [Symbol.dispose]() {
    this.publishStoredMetrics();
  }
  /**
   * Sets the timestamp for the metric.
   *
   * If an integer is provided, it is assumed to be the epoch time in milliseconds.
   * If a Date object is provided, it will be converted to epoch time in milliseconds.
   *
   * The timestamp must be a Date object or an integer representing an epoch time.
   * This should not exceed 14 days in the past or be more than 2 hours in the future.
   * Any metrics failing to meet this criteria will be skipped by Amazon CloudWatch.
   *
   * See: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
   * See: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html
   *
   * @example
   * ```typescript
   * import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders',
   * });
   *
   * export const handler = async () => {
   *   const metricTimestamp = new Date(Date.now() - 24 * 60 * 60 * 1000); // 24 hours ago
   *   metrics.setTimestamp(metricTimestamp);
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   * };
   * ```
   * @param timestamp - The timestamp to set, which can be a number or a Date object.
   */
  setTimestamp(timestamp) {
    if (!this.#validateEmfTimestamp(timestamp)) {
      this.#logger.warn("This metric doesn't meet the requirements and will be skipped by Amazon CloudWatch. Ensure the timestamp is within 14 days in the past or up to 2 hours in the future and is also a valid number or Date object.");
    }
    this.#metricsStore.setTimestamp(timestamp);
    return this;
  }
  /**
   * Serialize the stored metrics into a JSON object compliant with the Amazon CloudWatch EMF (Embedded Metric Format) schema.
   *
   * The EMF schema is a JSON object that contains the following properties:
   * - `_aws`: An object containing the timestamp and the CloudWatch metrics.
   * - `CloudWatchMetrics`: An array of CloudWatch metrics objects.
   * - `Namespace`: The namespace of the metrics.
   * - `Dimensions`: An array of dimensions for the metrics.
   * - `Metrics`: An array of metric definitions.
   *
   * The object is then emitted to standard output, which in AWS Lambda is picked up by CloudWatch logs and processed asynchronously.
   */
  serializeMetrics() {
    const metricDefinitions = this.#metricsStore.getAllMetrics().map((metricDefinition) => {
      return {
        Name: metricDefinition.name,
        Unit: metricDefinition.unit,
        ...metricDefinition.resolution === MetricResolution.High ? { StorageResolution: metricDefinition.resolution } : {}
      };
    });
    if (metricDefinitions.length === 0 && this.shouldThrowOnEmptyMetrics) {
      throw new RangeError("The number of metrics recorded must be higher than zero");
    }
    if (!this.namespace)
      this.#logger.warn("Namespace should be defined, default used");
    const metricValues = this.#metricsStore.getAllMetrics().reduce((result, { name, value }) => {
      result[name] = value;
      return result;
    }, {});
    const dimensionNames = [];
    const dimensions = this.#dimensionsStore.getDimensions();
    const dimensionSets = this.#dimensionsStore.getDimensionSets();
    const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const allDimensionKeys = /* @__PURE__ */ new Set([
      ...Object.keys(defaultDimensions),
      ...Object.keys(dimensions)
    ]);
    if (Object.keys(dimensions).length > 0) {
      dimensionNames.push([...allDimensionKeys]);
    }
    for (const dimensionSet of dimensionSets) {
      const dimensionSetKeys = /* @__PURE__ */ new Set([
        ...Object.keys(defaultDimensions),
        ...Object.keys(dimensionSet)
      ]);
      dimensionNames.push([...dimensionSetKeys]);
    }
    if (dimensionNames.length === 0 && Object.keys(defaultDimensions).length > 0) {
      dimensionNames.push(Object.keys(defaultDimensions));
    }
    this.#checkKeyCollisions(defaultDimensions, dimensions, dimensionSets, metricValues, this.#metadataStore.getAll());
    return {
      _aws: {
        Timestamp: this.#metricsStore.getTimestamp() ?? Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace || DEFAULT_NAMESPACE,
            Dimensions: dimensionNames,
            Metrics: metricDefinitions
          }
        ]
      },
      // Metadata is spread first so that any colliding key from a dimension
      // source overrides it: dimensions are load-bearing for EMF aggregation,
      // metadata is incidental context.
      ...this.#metadataStore.getAll(),
      ...defaultDimensions,
      ...dimensions,
      // Merge all dimension sets efficiently by mutating the accumulator
      ...dimensionSets.reduce((acc, dims) => {
        for (const [key, value] of Object.entries(dims)) {
          acc[key] = value;
        }
        return acc;
      }, {}),
      ...metricValues
    };
  }
  #checkKeyCollisions(defaultDimensions, dimensions, dimensionSets, metricValues, metadata) {
    const seenKeys = /* @__PURE__ */ new Map();
    const setKey = (k2, source) => {
      const existing = seenKeys.get(k2);
      if (existing !== void 0) {
        this.#logger.warn(`EMF key "${k2}" is defined as both a ${existing} and ${source}; the ${source} value will take precedence in the serialized output`);
      }
      seenKeys.set(k2, source);
    };
    for (const k2 of Object.keys(metadata))
      setKey(k2, "metadata");
    for (const k2 of Object.keys(defaultDimensions))
      setKey(k2, "default dimension");
    for (const k2 of Object.keys(dimensions))
      setKey(k2, "dimension");
    for (const set of dimensionSets)
      for (const k2 of Object.keys(set))
        setKey(k2, "dimension set");
    for (const name of Object.keys(metricValues)) {
      const src = seenKeys.get(name);
      if (src !== void 0) {
        throw new Error(`EMF key collision on "${name}": registered as both a metric (number) and a ${src} (string)`);
      }
    }
  }
  /**
   * Set default dimensions that will be added to all metrics.
   *
   * This method will merge the provided dimensions with the existing default dimensions.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders',
   *   defaultDimensions: { environment: 'dev' },
   * });
   *
   * // Default dimensions will contain both region and environment
   * metrics.setDefaultDimensions({
   *   region: 'us-west-2',
   *   environment: 'prod',
   * });
   * ```
   *
   * @param dimensions - The dimensions to be added to the default dimensions object
   */
  setDefaultDimensions(dimensions) {
    const newDimensions = this.#sanitizeDimensions(dimensions);
    const currentDefaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const currentDimensions = this.#dimensionsStore.getDimensions();
    const dimensionSets = this.#dimensionsStore.getDimensionSets();
    const combinedDefaultKeys = [
      ...Object.keys(currentDefaultDimensions),
      ...Object.keys(newDimensions)
    ];
    const currentDimensionsKeys = Object.keys(currentDimensions);
    let maxProjectedSize = currentDimensionsKeys.length > 0 ? (/* @__PURE__ */ new Set([...combinedDefaultKeys, ...currentDimensionsKeys])).size : new Set(combinedDefaultKeys).size;
    for (const dimensionSet of dimensionSets) {
      const setSize = (/* @__PURE__ */ new Set([
        ...combinedDefaultKeys,
        ...Object.keys(dimensionSet)
      ])).size;
      if (setSize > maxProjectedSize) {
        maxProjectedSize = setSize;
      }
    }
    if (maxProjectedSize > MAX_DIMENSION_COUNT) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSION_COUNT}`);
    }
    this.#dimensionsStore.setDefaultDimensions({
      ...currentDefaultDimensions,
      ...newDimensions
    });
    return this;
  }
  /**
   * @deprecated Override the function name for `ColdStart` metrics inferred from the context either via:
   * - `functionName` constructor parameter
   * - `POWERTOOLS_FUNCTION_NAME` environment variable
   * - {@link Metrics.captureColdStartMetric | `captureColdStartMetric('myFunctionName')`} method
   */
  /* v8 ignore next -- @preserve */
  setFunctionName(name) {
    this.functionName = name;
  }
  /**
   * Set the flag to throw an error if no metrics are emitted.
   *
   * You can use this method to enable or disable this opt-in feature. This is useful if you want to ensure
   * that at least one metric is emitted when flushing the metrics. This can be useful to catch bugs where
   * metrics are not being emitted as expected.
   *
   * @param enabled - Whether to throw an error if no metrics are emitted
   */
  setThrowOnEmptyMetrics(enabled) {
    this.shouldThrowOnEmptyMetrics = enabled;
    return this;
  }
  /**
   * Create a new Metrics instance configured to immediately flush a single metric.
   *
   * CloudWatch EMF uses the same dimensions and timestamp across all your metrics, this is useful when you have a metric that should have different dimensions
   * or when you want to emit a single metric without buffering it.
   *
   * This method is used internally by the {@link Metrics.captureColdStartMetric | `captureColdStartMetric()`} method to emit the `ColdStart` metric immediately
   * after the handler function is called.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   const singleMetric = metrics.singleMetric();
   *   // The single metric will be emitted immediately
   *   singleMetric.addMetric('ColdStart', MetricUnit.Count, 1);
   *
   *   // These other metrics will be buffered and emitted when calling `publishStoredMetrics()`
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   */
  singleMetric() {
    return new _Metrics({
      namespace: this.namespace,
      defaultDimensions: this.#dimensionsStore.getDefaultDimensions(),
      singleMetric: true,
      logger: this.#logger
    });
  }
  /**
   * @deprecated Use {@link Metrics.setThrowOnEmptyMetrics | `setThrowOnEmptyMetrics()`} instead.
   */
  /* v8 ignore next -- @preserve */
  throwOnEmptyMetrics() {
    this.shouldThrowOnEmptyMetrics = true;
  }
  /**
   * Get the custom config service if it exists.
   */
  getCustomConfigService() {
    return this.customConfigService;
  }
  /**
   * Initialize the console property as an instance of the internal version of `Console()` class (PR #748)
   * or as the global node console if the `POWERTOOLS_DEV' env variable is set and has truthy value.
   *
   * @private
   */
  setConsole() {
    if (this.#envConfig.devMode) {
      this.console = console;
    } else {
      this.console = new import_node_console2.Console({
        stdout: process.stdout,
        stderr: process.stderr
      });
    }
  }
  /**
   * Set the custom config service to be used.
   *
   * @param customConfigService The custom config service to be used
   */
  setCustomConfigService(customConfigService) {
    this.customConfigService = customConfigService;
  }
  /**
   * Set the environment variables service to be used.
   */
  setEnvConfig() {
    this.#envConfig.namespace = getStringFromEnv2({
      key: "POWERTOOLS_METRICS_NAMESPACE",
      defaultValue: ""
    });
    this.#envConfig.functionName = getStringFromEnv2({
      key: "POWERTOOLS_METRICS_FUNCTION_NAME",
      defaultValue: ""
    });
    this.#envConfig.serviceName = getServiceName();
    this.#envConfig.disabled = getBooleanFromEnv2({
      key: "POWERTOOLS_METRICS_DISABLED",
      defaultValue: false,
      extendedParsing: true
    });
    this.#envConfig.devMode = isDevMode2();
  }
  /**
   * Set the function name for the cold start metric.
   *
   * @param functionName - The function name to be used for the cold start metric set in the constructor
   */
  setFunctionNameForColdStartMetric(functionName) {
    const value = functionName?.trim() ?? this.#envConfig.functionName;
    if (value && value.length > 0) {
      this.functionName = value;
    }
  }
  /**
   * Set the namespace to be used.
   *
   * @param namespace - The namespace to be used
   */
  setNamespace(namespace) {
    this.namespace = namespace || this.getCustomConfigService()?.getNamespace() || this.#envConfig.namespace;
  }
  /**
   * Set the disbaled flag based on the environment variables `POWERTOOLS_METRICS_DISABLED` and `POWERTOOLS_DEV`.
   *
   * The `POWERTOOLS_METRICS_DISABLED` environment variable takes precedence over `POWERTOOLS_DEV`.
   */
  setDisabled() {
    if ("POWERTOOLS_METRICS_DISABLED" in process.env && process.env.POWERTOOLS_METRICS_DISABLED !== void 0) {
      this.disabled = this.#envConfig.disabled;
      return;
    }
    this.disabled = this.#envConfig.devMode;
  }
  /**
   * Set the options to be used by the Metrics instance.
   *
   * This method is used during the initialization of the Metrics instance.
   *
   * @param options - The options to be used
   */
  setOptions(options) {
    const { customConfigService, namespace, serviceName, singleMetric, defaultDimensions, functionName } = options;
    this.setCustomConfigService(customConfigService);
    this.setDisabled();
    this.setNamespace(namespace);
    const resolvedServiceName = this.#resolveServiceName(serviceName);
    this.setDefaultDimensions(defaultDimensions ? { service: resolvedServiceName, ...defaultDimensions } : { service: resolvedServiceName });
    this.setFunctionNameForColdStartMetric(functionName);
    this.isSingleMetric = singleMetric || false;
    return this;
  }
  /**
   * Set the service dimension that will be included in the metrics.
   *
   * @param service - The service to be used
   */
  #resolveServiceName(service) {
    return service || this.getCustomConfigService()?.getServiceName() || this.#envConfig.serviceName || this.defaultServiceName;
  }
  /**
   * Store a metric in the buffer.
   *
   * If the buffer is full, or the metric reaches the maximum number of values,
   * the metrics are flushed to stdout.
   *
   * @param name - The name of the metric to store
   * @param unit - The unit of the metric to store
   * @param value - The value of the metric to store
   * @param resolution - The resolution of the metric to store
   */
  storeMetric(name, unit, value, resolution) {
    if (!isString2(name))
      throw new Error(`${name} is not a valid string`);
    if (name.length < MIN_METRIC_NAME_LENGTH || name.length > MAX_METRIC_NAME_LENGTH)
      throw new RangeError(`The metric name should be between ${MIN_METRIC_NAME_LENGTH} and ${MAX_METRIC_NAME_LENGTH} characters`);
    if (!isNumber2(value))
      throw new RangeError(`${value} is not a valid number`);
    if (!Object.values(MetricUnit).includes(unit))
      throw new RangeError(`Invalid metric unit '${unit}', expected either option: ${Object.values(MetricUnit).join(",")}`);
    if (!Object.values(MetricResolution).includes(resolution))
      throw new RangeError(`Invalid metric resolution '${resolution}', expected either option: ${Object.values(MetricResolution).join(",")}`);
    if (this.#metricsStore.getMetricsCount() >= MAX_METRICS_SIZE) {
      this.publishStoredMetrics();
    }
    const storedMetric = this.#metricsStore.setMetric(name, unit, value, resolution);
    if (Array.isArray(storedMetric.value) && storedMetric.value.length === MAX_METRIC_VALUES_SIZE) {
      this.publishStoredMetrics();
    }
  }
  /**
   * Validates a given timestamp based on CloudWatch Timestamp guidelines.
   *
   * Timestamp must meet CloudWatch requirements.
   * The time stamp can be up to two weeks in the past and up to two hours into the future.
   * See [Timestamps](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#about_timestamp)
   * for valid values.
   *
   * @param timestamp - Date object or epoch time in milliseconds representing the timestamp to validate.
   */
  #validateEmfTimestamp(timestamp) {
    const isDate = timestamp instanceof Date;
    if (!isDate && !isIntegerNumber2(timestamp)) {
      return false;
    }
    const timestampMs = isDate ? timestamp.getTime() : timestamp;
    const currentTime = Date.now();
    const minValidTimestamp = currentTime - EMF_MAX_TIMESTAMP_PAST_AGE;
    const maxValidTimestamp = currentTime + EMF_MAX_TIMESTAMP_FUTURE_AGE;
    return timestampMs >= minValidTimestamp && timestampMs <= maxValidTimestamp;
  }
  /**
   * Sanitizes the dimensions by removing invalid entries and skipping duplicates.
   *
   * @param dimensions - The dimensions to sanitize.
   */
  #sanitizeDimensions(dimensions) {
    const newDimensions = {};
    const currentDimensions = this.#dimensionsStore.getDimensions();
    for (const [key, value] of Object.entries(dimensions)) {
      if (isStringUndefinedNullEmpty2(key) || isStringUndefinedNullEmpty2(value)) {
        this.#logger.warn(`The dimension ${key} doesn't meet the requirements and won't be added. Ensure the dimension name and value are non empty strings`);
        continue;
      }
      const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
      if (Object.hasOwn(currentDimensions, key) || Object.hasOwn(defaultDimensions, key) || Object.hasOwn(newDimensions, key)) {
        this.#logger.warn(`Dimension "${key}" has already been added. The previous value will be overwritten.`);
      }
      newDimensions[key] = value;
    }
    return newDimensions;
  }
};

// src/aws/observability.ts
var MILLISECOND_METRICS = /* @__PURE__ */ new Set([MetricName.DISPATCH_LAG, MetricName.TICK_DURATION, MetricName.SHARD_WATERMARK_LAG]);
function unitOf(name) {
  return MILLISECOND_METRICS.has(name) ? MetricUnit.Milliseconds : MetricUnit.Count;
}
var EmfMetricsSink = class {
  constructor(metrics) {
    this.metrics = metrics;
  }
  metrics;
  stored = 0;
  add(name, value) {
    this.metrics.addMetric(name, unitOf(name), value);
    this.stored++;
  }
  observe(name, value) {
    this.metrics.addMetric(name, unitOf(name), value);
    this.stored++;
  }
  /** Writes the metrics stored since the last flush as one EMF record (nothing when there are none). */
  flush() {
    if (this.stored === 0) return;
    this.stored = 0;
    this.metrics.publishStoredMetrics();
  }
};
var PowertoolsLog = class {
  constructor(logger) {
    this.logger = logger;
  }
  logger;
  info(message, fields) {
    this.logger.info(message, { ...fields });
  }
  warn(message, fields) {
    this.logger.warn(message, { ...fields });
  }
  error(message, fields) {
    this.logger.error(message, { ...fields });
  }
};
function createObservability(fallbackService, env3 = process.env) {
  const service = env3.POWERTOOLS_SERVICE_NAME || fallbackService;
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: service });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [METRIC_DIMENSION_SERVICE]: service });
  return { metrics: new EmfMetricsSink(metrics), log: new PowertoolsLog(new Logger({ serviceName: service })) };
}

// src/tick/tick.lambda.ts
var cached;
async function handler(event, context) {
  if (!cached) {
    const { metrics, log } = createObservability("ServerlessTimerTick");
    const continueTick = continueTickFromEnv();
    cached = createTickHandler({ ...adaptersFromEnv(), metrics, log, flush: () => metrics.flush(), ...continueTick && { continueTick } });
  }
  return cached(event, context);
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  handler
});
/*! Bundled license information:

@aws-lambda-powertools/logger/lib/esm/logBuffer.js:
@aws-lambda-powertools/logger/lib/esm/Logger.js:
  (* v8 ignore next -- @preserve *)
*/
//# sourceMappingURL=index.js.map
