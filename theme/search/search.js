/* credcat search: queries the sharded index in search/index/ (format: generator/search/index.py).
 * The algorithm mirrors generator/search/query.py line for line; tests check both agree.
 * Record text is only ever inserted with textContent / createTextNode (strict CSP: record text is never parsed as HTML). */
(function () {
  "use strict";

  var EXACT = 5, PREFIX = 3, PREFIX_MAX = 6, PREFIX_MIN = 2, PAGE = 20, EXACT_COUNT_POSTINGS = 1500, PAGED_SHOWN = 20;
  var COMPARE_KEY = "credcat-compare";
  var SORTS = [["relevance", "Best match"], ["workload", "Workload (shortest first)"], ["cost", "Cost (lowest first)"],
               ["seal", "Quality seal (best first)"], ["verified", "Recently verified"]];
  var script = document.currentScript;
  var base = new URL(".", script ? script.src : location.href);
  var siteRoot = new URL("..", base);

  // ---- files ------------------------------------------------------------------------------
  function gunzipJson(buf) {
    var bytes = new Uint8Array(buf);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {  // the host already decoded it
      return Promise.resolve(JSON.parse(new TextDecoder().decode(bytes)));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function Files() { this.cache = new Map(); this.bytes = 0; this.meta = null; }
  Files.prototype.load = function (rel, top) {
    var url = top ? "index/" + rel : "index/" + rel + "?v=" + this.meta.version;  // never a file of another build from the cache
    var self = this;
    if (!this.cache.has(url)) {
      this.cache.set(url, fetch(new URL(url, base), top ? {cache: "no-cache"} : {}).then(function (r) {
        if (!r.ok) { throw new Error("search index file missing: " + url); }
        return r.arrayBuffer();
      }).then(function (buf) { self.bytes += buf.byteLength; return gunzipJson(buf); }));
    }
    return this.cache.get(url);
  };

  function loadScript(name) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = new URL(name, base).href;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + name)); };
      document.head.appendChild(s);
    });
  }

  // ---- text pipeline (lunr.js; the Python twin is generator/search/text.py) -----------------
  function Text(meta) {
    var wc = meta.wordchars;
    this.trimRe = new RegExp("^[^" + wc + "]+|[^" + wc + "]+$", "g");
    lunr.tokenizer.separator = new RegExp(meta.split);
    this.pipes = Object.keys(meta.langs).sort().map(function (lang) {
      var info = meta.langs[lang], ns = lang === "en" ? lunr : lunr[info.js];
      return {stop: ns.stopWordFilter, stem: info.stem ? ns.stemmer : null};
    });
  }
  Text.prototype.split = function (text) {
    return lunr.tokenizer(text).map(function (t) { return t.toString(); }).filter(Boolean);
  };
  Text.prototype.trim = function (w) { return w.replace(this.trimRe, ""); };
  Text.prototype.terms = function (word) {
    var out = [], trimmed = this.trim(word);
    if (!trimmed) { return out; }
    this.pipes.forEach(function (p) {
      var tok = p.stop(new lunr.Token(trimmed, {}));
      if (!tok) { return; }
      if (p.stem) { tok = p.stem(tok); }
      var s = tok.toString();
      if (s && out.indexOf(s) < 0) { out.push(s); }
    });
    return out.sort();
  };

  // ---- the index --------------------------------------------------------------------------
  function bisectRight(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (x < arr[mid]) { hi = mid; } else { lo = mid + 1; } }
    return lo;
  }
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function Index(files, meta) {
    this.files = files; this.meta = meta; this.facets = {};
    var self = this;
    meta.facets.forEach(function (f) { self.facets[f.key] = f; });
    this.terms = new Map();
    this.rows = new Map();  // doc -> row string, for every document whose row was fetched
  }
  Index.prototype.shardOf = function (term) { return bisectRight(this.meta.shards, term); };
  Index.prototype.shard = function (no) { return this.files.load("t/" + no + ".json.gz"); };
  Index.prototype.entry = function (term) {
    return this.shard(this.shardOf(term)).then(function (rows) {
      for (var i = 0; i < rows.length; i++) { if (rows[i][0] === term) { return rows[i]; } }
      return null;
    });
  };
  Index.prototype.prefixed = function (prefix) {
    var self = this, no = this.shardOf(prefix), nos = [no];
    var next = this.meta.shards[no];  // first term of shard no + 1
    if (next !== undefined && next.indexOf(prefix) === 0) { nos.push(no + 1); }
    return Promise.all(nos.map(function (k) { return self.shard(k); })).then(function (shards) {
      var out = [];
      shards.forEach(function (rows) { rows.forEach(function (r) { if (r[0].indexOf(prefix) === 0) { out.push(r); } }); });
      return out;
    });
  };
  Index.prototype.state = function (term) {
    var self = this;
    if (!this.terms.has(term)) {
      this.terms.set(term, this.entry(term).then(function (entry) {
        if (!entry) { return null; }
        var st = {term: term, df: entry[1], entry: entry, postings: new Map(), tiers: 0, fetched: 0, floor: 0,
                  counts: null, tierDocs: [], withRows: 0};
        if (!Array.isArray(entry[2])) {
          var docs = addPostings(st, entry[2]);
          docs.forEach(function (d, i) { self.rows.set(d, entry[2].r[i]); });
          return st;
        }
        st.tiers = entry[2][1];
        return self.fetchTier(st).then(function () { return st; });
      }));
    }
    return this.terms.get(term);
  };
  Index.prototype.tierPath = function (st, k, suffix) {
    var id = st.entry[2][0];  // the term's file id: 2 hex digits name its folder
    return "p/" + id.slice(0, 2) + "/" + id.slice(2) + "." + k + suffix + ".json.gz";
  };
  Index.prototype.fetchTier = function (st) {
    if (st.loading) { return st.loading; }
    st.loading = this.files.load(this.tierPath(st, st.fetched, "")).then(function (obj) {
      st.tierDocs.push(addPostings(st, obj));
      if (st.fetched === 0) { st.counts = obj.c || null; }
      st.floor = obj.min; st.fetched += 1; st.loading = null;
    });
    return st.loading;
  };
  // Rows (facet values, sort keys) of every fetched tier of a term: they sit in their own files.
  Index.prototype.loadRows = function (st, upto) {
    var self = this, jobs = [], end = Math.min(st.fetched, upto === undefined ? st.fetched : upto);
    if (st.tiers === 0 || st.withRows >= end) { return Promise.resolve(); }
    for (var k = st.withRows; k < end; k++) {
      jobs.push((function (k) {
        return self.files.load(self.tierPath(st, k, "r")).then(function (rows) {
          st.tierDocs[k].forEach(function (d, i) { self.rows.set(d, rows[i]); });
        });
      })(k));
    }
    st.withRows = end;
    return Promise.all(jobs);
  };
  function complete(st) { return st.postings.size === st.df; }  // every posting known
  function exhausted(st) { return st.tiers === 0 || st.fetched >= st.tiers; }  // every written tier fetched
  function addPostings(st, obj) {
    var doc = 0, docs = [];
    for (var i = 0; i < obj.d.length; i++) { doc += obj.d[i]; st.postings.set(doc, obj.s[i]); docs.push(doc); }
    return docs;
  }
  Index.prototype.valuePage = function (key, page) { return this.files.load("v/" + key + "/" + page + ".json.gz"); };

  // rows: base-36 facet value numbers and sort keys (generator/search/facets.py RowCodec)
  var SORT_KEYS = {hours: 1, eur: 1, score: 1, days: 1};
  function decodeRow(row, layout) {
    var out = {}, pos = 0;
    layout.forEach(function (part) {
      var key = part[0], width = part[1], n;
      if (part[2]) {
        var count = parseInt(row[pos], 36), vals = [];
        pos += 1;
        for (var i = 0; i < count; i++) { vals.push(parseInt(row.substr(pos + i * width, width), 36)); }
        pos += count * width; out[key] = vals;
      } else {
        n = parseInt(row.substr(pos, width), 36); pos += width;
        out[key] = SORT_KEYS[key] ? (n === 0 ? null : n - 1) : (n === 0 ? [] : [n - 1]);
      }
    });
    return out;
  }

  // ---- the query (twin of Searcher.search in query.py) ----------------------------------------
  function Searcher(index, text) { this.index = index; this.text = text; this.rowCache = new Map(); }
  // a document's decoded row, or null when not fetched
  Searcher.prototype.row = function (doc) {
    var raw = this.index.rows.get(doc);
    if (raw === undefined) { return null; }
    var r = this.rowCache.get(raw);
    if (!r) { r = decodeRow(raw, this.index.meta.row); this.rowCache.set(raw, r); }
    return r;
  };
  // a document whose row is unknown is given the benefit of the doubt
  Searcher.prototype.passes = function (doc, fnums) {
    for (var k in fnums) { var row = this.row(doc); return row === null || matchesFilters(row, fnums); }
    return true;
  };
  Searcher.prototype.filterNumbers = function (filters) {
    var index = this.index, out = {}, jobs = [];
    Object.keys(filters).forEach(function (key) {
      var facet = index.facets[key], values = filters[key];
      if (!facet || !values.length) { return; }
      var set = out[key] = new Set();
      if (facet.values) {
        values.forEach(function (v) { var i = facet.values.indexOf(v); if (i >= 0) { set.add(i); } });
      } else {
        values.forEach(function (v) {
          var page = Math.max(0, bisectRight(facet.pages, v) - 1);
          jobs.push(index.valuePage(key, page).then(function (kv) {
            var i = kv[0].indexOf(v); if (i >= 0) { set.add(page * index.meta.vpage + i); }
          }));
        });
      }
    });
    return Promise.all(jobs).then(function () { return out; });
  };
  Searcher.prototype.wordTerms = function (word, lastPrefix) {
    var exact = this.text.terms(word), index = this.index;
    var out = exact.map(function (t) { return [t, EXACT]; });
    var p = this.text.trim(word);
    if (!lastPrefix || p.length < PREFIX_MIN) { return Promise.resolve(out); }
    return index.prefixed(p).then(function (rows) {
      var cands = rows.filter(function (r) { return exact.indexOf(r[0]) < 0 && r[0] !== index.meta.all; });
      cands.sort(function (a, b) { return b[1] - a[1] || cmp(a[0], b[0]); });
      return out.concat(cands.slice(0, PREFIX_MAX).map(function (r) { return [r[0], PREFIX]; }));
    });
  };

  function matchesFilters(row, fnums, skip) {
    for (var key in fnums) {
      if (key === skip) { continue; }
      var ok = false, vals = row[key];
      for (var i = 0; i < vals.length; i++) { if (fnums[key].has(vals[i])) { ok = true; break; } }
      if (!ok) { return false; }
    }
    return true;
  }

  Searcher.prototype.search = function (q, filters, sort, limit, prefix) {
    var self = this, index = this.index, text = this.text;
    var raw = text.split(q);
    var lastPrefix = prefix && raw.length > 0 && !/\s$/.test(q);
    var out = {words: [], suggestions: {}, matched: [], prefix: null};
    return this.filterNumbers(filters).then(function (fnums) {
      return Promise.all(raw.map(function (w, i) {
        var isLast = lastPrefix && i === raw.length - 1;
        return self.wordTerms(w, isLast).then(function (pairs) {
          if (!pairs.length) { return null; }
          return Promise.all(pairs.map(function (p) { return index.state(p[0]); })).then(function (states) {
            var ws = [];
            states.forEach(function (st, k) { if (st) { ws.push([st, pairs[k][1]]); out.matched.push(st.term); } });
            if (isLast) { out.prefix = text.trim(w); }
            return {word: w, states: ws};
          });
        });
      })).then(function (perWord) {
        var words = [], jobs = [];
        perWord.forEach(function (pw) {
          if (!pw) { return; }
          out.words.push(pw.word);
          if (!pw.states.length) { jobs.push(self.suggest(pw.word).then(function (s) { out.suggestions[pw.word] = s; })); }
          words.push(pw.states);
        });
        if (!out.words.length) {
          return index.state(index.meta.all).then(function (st) {
            return self.rank([[[st, EXACT]]], "all", fnums, sort, limit, out);
          });
        }
        return Promise.all(jobs).then(function () { return self.rank(words, "and", fnums, sort, limit, out); });
      });
    });
  };

  // doc -> score: per word its best term impact x weight; AND (or required words) or OR across words
  Searcher.prototype.scores = function (words, mode, required) {
    var perWord = words.map(function (ws) {
      var best = new Map();
      ws.forEach(function (pair) {
        var wt = pair[1];
        pair[0].postings.forEach(function (imp, doc) {
          var s = imp * wt;
          if (s > (best.get(doc) || 0)) { best.set(doc, s); }
        });
      });
      return best;
    });
    var out = new Map();
    if (!perWord.length) { return out; }
    if (mode === "or") {
      perWord.forEach(function (best) { best.forEach(function (s, doc) { out.set(doc, (out.get(doc) || 0) + s); }); });
      return out;
    }
    var musts = perWord.filter(function (b, i) { return !required || required[i]; });
    var optional = perWord.filter(function (b, i) { return required && !required[i]; });
    var sorted = musts.slice().sort(function (a, b) { return a.size - b.size; });
    var first = sorted[0], rest = sorted.slice(1);
    first.forEach(function (s, doc) {
      var total = s, i, hit;
      for (i = 0; i < rest.length; i++) { hit = rest[i].get(doc); if (hit === undefined) { return; } total += hit; }
      for (i = 0; i < optional.length; i++) { total += optional[i].get(doc) || 0; }
      out.set(doc, total);
    });
    return out;
  };

  Searcher.prototype.sortKept = function (kept, sort) {
    var self = this;
    function r(p) { return self.row(p[0]) || {}; }
    function v(x) { return x === undefined ? null : x; }
    function nulls(a, b) { return (a === null) - (b === null); }
    var by = {
      workload: function (a, b) { var x = v(r(a).hours), y = v(r(b).hours); return nulls(x, y) || (x || 0) - (y || 0) || b[1] - a[1] || a[0] - b[0]; },
      cost: function (a, b) { var x = v(r(a).eur), y = v(r(b).eur); return nulls(x, y) || (x || 0) - (y || 0) || b[1] - a[1] || a[0] - b[0]; },
      seal: function (a, b) { return (r(b).score || 0) - (r(a).score || 0) || b[1] - a[1] || a[0] - b[0]; },
      verified: function (a, b) { var x = v(r(a).days), y = v(r(b).days); return nulls(x, y) || (y || 0) - (x || 0) || b[1] - a[1] || a[0] - b[0]; }
    }[sort] || function (a, b) { return b[1] - a[1] || a[0] - b[0]; };
    return kept.sort(by);
  };

  // words whose rows are fetched: every candidate is in them (the rarest word; all words for OR)
  Searcher.prototype.drivers = function (words, mode) {
    if (mode === "or") { return words.map(function (ws, i) { return i; }); }
    if (!words.length || words.some(function (ws) { return !ws.length; })) { return []; }
    var best = 0, bestDf = Infinity;
    words.forEach(function (ws, i) {
      var df = ws.reduce(function (a, p) { return a + p[0].df; }, 0);
      if (df < bestDf) { best = i; bestDf = df; }
    });
    return [best];
  };

  // True when no document outside what was fetched can still enter the top `limit` (Fagin's threshold).
  Searcher.prototype.certain = function (words, mode, ranked, limit, sort, fnums) {
    var self = this, all = true;
    words.forEach(function (ws) { ws.forEach(function (p) { if (!complete(p[0])) { all = false; } }); });
    if (all) { return true; }
    if (sort !== "relevance" || ranked.length < limit) { return false; }
    var kthDoc = ranked[limit - 1][0], kth = ranked[limit - 1][1];
    var bounds = words.map(function (ws) {
      var b = 0;
      ws.forEach(function (p) { if (!complete(p[0])) { b = Math.max(b, p[1] * p[0].floor); } });
      return b;
    });
    var sum = bounds.reduce(function (a, b) { return a + b; }, 0);
    var single = words.length === 1 && words[0].length === 1;
    if (sum > kth || (sum === kth && !single)) { return false; }
    var top = new Set(ranked.slice(0, limit).map(function (p) { return p[0]; }));
    var seen = new Map();
    words.forEach(function (ws, w) {
      ws.forEach(function (p) {
        p[0].postings.forEach(function (imp, doc) {
          var cell = seen.get(doc);
          if (!cell) { cell = [words.map(function () { return 0; }), words.map(function () { return false; })]; seen.set(doc, cell); }
          cell[0][w] = Math.max(cell[0][w], imp * p[1]);
          cell[1][w] = true;
        });
      });
    });
    var ok = true;
    seen.forEach(function (cell, doc) {
      if (!ok) { return; }
      var hit = cell[1];
      if (hit.every(Boolean) || (top.has(doc) && mode === "and")) { return; }
      if (mode === "and" && hit.some(function (h, i) { return !h && bounds[i] === 0; })) { return; }
      if (!self.passes(doc, fnums)) { return; }
      var ub = 0;
      hit.forEach(function (h, i) { ub += h ? cell[0][i] : bounds[i]; });
      if (ub > kth || (ub === kth && doc < kthDoc)) { ok = false; }
    });
    return ok;
  };

  Searcher.prototype.loadRowsOf = function (words, which, upto) {
    var index = this.index, jobs = [];
    which.forEach(function (w) { words[w].forEach(function (p) { jobs.push(index.loadRows(p[0], upto)); }); });
    return Promise.all(jobs);
  };

  Searcher.prototype.rank = function (words, mode, fnums, sort, limit, out) {
    var self = this;
    var single = words.length === 1 && words[0].length === 1 && words[0][0][1] === EXACT;
    var fkeys = Object.keys(fnums), noFilters = !fkeys.length;
    // Rows (facets, sort keys) are fetched for every candidate when filters or sorting need them;
    // for counts alone a sample does (the rarest word's first tier), and a single term has its counts.
    var needRows = !noFilters || sort !== "relevance";
    var sample = !needRows && !single;
    return this.loadRowsOf(words, needRows || sample ? this.drivers(words, mode) : [], sample ? 1 : undefined).then(function () {
      var missing = mode === "and" && words.some(function (ws) { return !ws.length; });
      var scored = missing ? new Map() : self.scores(words, mode);
      var kept = [];
      scored.forEach(function (s, doc) { if (self.passes(doc, fnums)) { kept.push([doc, s]); } });
      var ranked = self.sortKept(kept, sort);
      var pending = [];
      words.forEach(function (ws) { ws.forEach(function (p) { if (!complete(p[0]) && !exhausted(p[0])) { pending.push(p[0]); } }); });
      var more = pending.length > 0;
      if (more && self.certain(words, mode, ranked, limit, sort, fnums)) {
        // The top is settled; fetch the rest too if it is small, for exact counts.
        var rest = pending.reduce(function (a, st) { return a + st.df - st.postings.size; }, 0);
        if ((single && noFilters) || rest > EXACT_COUNT_POSTINGS) { more = false; }
      }
      if (more) {
        return Promise.all(pending.map(function (st) { return self.index.fetchTier(st); })).then(function () {
          return self.rank(words, mode, fnums, sort, limit, out);
        });
      }
      return self.finish(words, mode, fnums, sort, limit, out, scored, ranked, needRows);
    });
  };

  Searcher.prototype.finish = function (words, mode, fnums, sort, limit, out, scored, ranked, needRows) {
    var self = this;
    var isComplete = words.every(function (ws) { return ws.every(function (p) { return complete(p[0]); }); });
    var required = words.map(function (ws) { return ws.every(function (p) { return complete(p[0]); }); });
    var relax = mode === "and" && !isComplete && ranked.length < limit && required.some(Boolean) && !required.every(Boolean);
    var reqWords = required.map(function (r, i) { return r ? i : -1; }).filter(function (i) { return i >= 0; });
    return this.loadRowsOf(words, relax && needRows ? reqWords : []).then(function () {
      if (relax) {
        // Very common words keep only their best postings: require the words known in full and
        // let the common ones add what is known (they are in most documents anyway).
        var relaxed = self.scores(words, mode, required), kept = [];
        relaxed.forEach(function (s, doc) { if (self.passes(doc, fnums)) { kept.push([doc, s]); } });
        ranked = self.sortKept(kept, sort);
        scored = relaxed;
      }
      if (!scored.size && mode === "and" && words.length > 1) { return self.rank(words, "or", fnums, sort, limit, out); }
      var total = isComplete ? ranked.length : self.estimate(words, mode, scored.size, ranked.length);
      var single = words.length === 1 && words[0].length === 1 && words[0][0][1] === EXACT;
      var fkeys = Object.keys(fnums), noFilters = !fkeys.length;
      var exact = isComplete || (single && noFilters);
      if (single && noFilters) { total = words[0][0][0].df; }
      var pre = single ? words[0][0][0].counts : null;
      if (!isComplete && pre && fkeys.length === 1) {
        // One facet filtered on one term: its precomputed counts give the total exactly.
        var key = fkeys[0], wanted = fnums[key], flat = pre[key] || [], listed = new Set();
        for (var j = 0; j < flat.length; j += 2) { listed.add(flat[j]); }
        var facet = self.index.facets[key];
        // (a paged facet keeps its top values only: exact when the wanted ones are among them)
        var all = Array.from(wanted).every(function (v) { return listed.has(v); });
        if ((!facet.multi || wanted.size === 1) && (facet.values || all)) {
          total = 0;
          for (var i = 0; i < flat.length; i += 2) { if (wanted.has(flat[i])) { total += flat[i + 1]; } }
          exact = true;
        }
      }
      out.mode = scored.size || mode !== "and" ? mode : "none";
      out.total = total;
      out.approximate = !exact;
      var fc = self.facetCounts(words, scored, fnums, isComplete, total, single);
      out.facets = fc.counts;
      out.facetsApproximate = fc.approximate;
      out.docs = ranked.slice(0, limit).map(function (p) { return p[0]; });
      out.more = ranked.length > limit || (!isComplete && ranked.length >= limit);
      return self.summaries(out.docs).then(function (s) { out.summaries = s; return out; });
    });
  };

  // About how many documents match when some postings were not fetched: words taken as independent
  // (AND: N x the product of each word's share of documents; OR: the sum), times the share of
  // fetched matches that pass the filters; never below what is known.
  Searcher.prototype.estimate = function (words, mode, matched, kept) {
    var n = this.index.meta.n;
    var dfs = words.map(function (ws) { return Math.min(n, ws.reduce(function (a, p) { return a + p[0].df; }, 0)); });
    var base;
    if (mode === "or") {
      base = Math.min(n, dfs.reduce(function (a, b) { return a + b; }, 0));
    } else {
      base = n;
      dfs.forEach(function (df) { base *= df / n; });
    }
    var rate = matched ? kept / matched : 1;
    return Math.max(kept, Math.round(base * rate));
  };

  // Disjunctive counts: each facet counted over matches of every other facet's filters. Exact when
  // every match and its row is known; otherwise counted over the matches whose rows were fetched
  // and scaled to the estimated total.
  Searcher.prototype.facetCounts = function (words, scored, fnums, isComplete, total, single) {
    var self = this, out = {}, approx = false, known = [], kept = 0;
    scored.forEach(function (s, doc) {
      if (self.row(doc) !== null) { known.push(doc); if (self.passes(doc, fnums)) { kept += 1; } }
    });
    var partial = !isComplete || known.length < scored.size;
    var scale = kept ? total / kept : 0;
    var pre = single && words.length && words[0].length ? words[0][0][0].counts : null;
    this.index.meta.facets.forEach(function (facet) {
      var key = facet.key, counts = new Map();
      var others = Object.keys(fnums).filter(function (k) { return k !== key; });
      if (pre && !others.length) {
        var flat = pre[key] || [];
        for (var i = 0; i < flat.length; i += 2) { counts.set(flat[i], flat[i + 1]); }
      } else {
        known.forEach(function (doc) {
          var row = self.row(doc);
          if (row && matchesFilters(row, fnums, key)) { row[key].forEach(function (n) { counts.set(n, (counts.get(n) || 0) + 1); }); }
        });
        if (partial) {
          approx = true;
          counts.forEach(function (c, n) { if (c) { counts.set(n, Math.max(1, Math.round(c * scale))); } });
        }
      }
      if (!facet.values) {  // paged (thousands of providers): the top ones and the chosen
        var top = Array.from(counts.entries()).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }).slice(0, PAGED_SHOWN);
        var keep = new Set(top.map(function (p) { return p[0]; }));
        counts.forEach(function (c, n) { if (!keep.has(n) && !(fnums[key] && fnums[key].has(n))) { counts.delete(n); } });
      }
      out[key] = counts;
    });
    return {counts: out, approximate: approx};
  };

  Searcher.prototype.summaries = function (docs) {
    var files = this.index.files, meta = this.index.meta;
    return Promise.all(docs.map(function (doc) {
      var page = Math.floor(doc / meta.spage);
      return files.load("s/" + page + ".json.gz").then(function (rows) {
        var obj = {}, row = rows[doc - page * meta.spage];
        meta.summary.forEach(function (name, i) { obj[name] = row[i]; });
        return obj;
      });
    }));
  };

  Searcher.prototype.suggest = function (word) {
    var w = this.text.trim(word), all = this.index.meta.all;
    if (w.length < 3) { return Promise.resolve([]); }
    return this.index.shard(this.index.shardOf(w)).then(function (rows) {
      var cands = [];
      rows.forEach(function (r) {
        var surface = r.length > 3 ? r[3] : r[0], d = distance(w, surface, 2);
        if (d <= 2 && r[0] !== all) { cands.push([d, -r[1], surface]); }
      });
      cands.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || cmp(a[2], b[2]); });
      return cands.slice(0, 3).map(function (c) { return c[2]; });
    });
  };

  function distance(a, b, cap) {
    if (Math.abs(a.length - b.length) > cap) { return cap + 1; }
    var prev = [], i, j;
    for (j = 0; j <= b.length; j++) { prev.push(j); }
    for (i = 1; i <= a.length; i++) {
      var cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
      if (Math.min.apply(null, cur) > cap) { return cap + 1; }
      prev = cur;
    }
    return prev[b.length];
  }

  // ---- start --------------------------------------------------------------------------------
  function start() {
    var root = document.getElementById("credcat-search");
    if (!root) { return; }
    var files = new Files();
    var ready = files.load("meta.json.gz", true).then(function (meta) {
      files.meta = meta;
      var codes = Object.keys(meta.langs).map(function (l) { return meta.langs[l]; })
        .filter(function (i) { return i.js; }).map(function (i) { return i.js; });
      var chain = Promise.resolve();
      if (codes.length) { chain = chain.then(function () { return loadScript("lunr.stemmer.support.js"); }); }
      codes.forEach(function (c) { chain = chain.then(function () { return loadScript("lunr." + c + ".js"); }); });
      return chain.then(function () {
        var index = new Index(files, meta);
        return new Searcher(index, new Text(meta));
      });
    });
    window.credcatSearch = {
      ready: ready, siteRoot: siteRoot, PAGE: PAGE, SORTS: SORTS, COMPARE_KEY: COMPARE_KEY,
      /* run a query without rendering (tests compare it with query.py) */
      query: function (q, filters, sort, limit, prefix) {
        return ready.then(function (s) { return s.search(q, filters || {}, sort || "relevance", limit || PAGE, prefix !== false); });
      },
      bytes: function () { return files.bytes; }
    };
    if (window.credcatSearchUI) { window.credcatSearchUI(root, window.credcatSearch); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
